/** A plugin callback threw: the run stops with one line naming the plugin and the callback. */
export class PluginError extends Error {
  constructor(readonly plugin: string, readonly callback: string, override readonly cause: unknown) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    super(`plugin ${plugin}: ${callback} callback threw: ${msg.split('\n')[0]}`);
    this.name = 'PluginError';
  }
}
