/**
 * Confinement of guest-supplied file names to one host directory.
 *
 * A name is first resolved lexically against the root (absolute names are taken as host paths),
 * and must land inside it. Then every symbolic link on the way is followed with realpath: the
 * directory holding the final component must really be inside the root, and, when the final
 * component itself is a link that the operation would follow (open), so must its target,
 * dangling or not. The result is a canonical host path whose directories contain no links, so
 * the caller can open it with O_NOFOLLOW. (Races with a host process swapping directories for
 * links between the check and the use are not defended against.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export type JailResult = { ok: true; path: string } | { ok: false; code: string };

const MAX_LINKS = 40; // Linux's MAXSYMLINKS

function inside(p: string, dir: string): boolean {
  if (p === dir) return true;
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  return p.startsWith(prefix);
}

function errCode(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return code;
  throw e;
}

export class PathJail {
  /** The root as given, made absolute. */
  readonly root: string;
  /** The root with all links resolved. */
  readonly realRoot: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.realRoot = fs.realpathSync.native(this.root);
  }

  /** True if `p` (canonical) is the root directory itself. */
  isRoot(p: string): boolean {
    return p === this.realRoot;
  }

  /**
   * Map a guest file name to a canonical host path inside the root.
   * `followFinal`: the operation follows a link in the last component (open), as opposed to
   * acting on the link itself (remove, rename).
   * Errors: EACCES for an escape, ENOENT for an empty name, otherwise the host's error.
   */
  resolve(name: string, followFinal: boolean): JailResult {
    if (name === '') return { ok: false, code: 'ENOENT' };
    return this.resolveAbs(path.resolve(this.root, name), followFinal, 0);
  }

  private resolveAbs(abs: string, followFinal: boolean, depth: number): JailResult {
    if (!inside(abs, this.root) && !inside(abs, this.realRoot)) return { ok: false, code: 'EACCES' };
    if (abs === this.root || abs === this.realRoot) return { ok: true, path: this.realRoot };

    const dir = path.dirname(abs);
    let realDir: string;
    try {
      realDir = fs.realpathSync.native(dir);
    } catch (e) {
      const code = errCode(e);
      // The directory does not exist (or is unreachable): report the host error only if the
      // nearest existing ancestor is inside the root, so nothing is revealed about the outside.
      return this.ancestorInside(dir) ? { ok: false, code } : { ok: false, code: 'EACCES' };
    }
    if (!inside(realDir, this.realRoot)) return { ok: false, code: 'EACCES' };

    const candidate = path.join(realDir, path.basename(abs));
    if (!followFinal) return { ok: true, path: candidate };
    let st: fs.Stats;
    try {
      st = fs.lstatSync(candidate);
    } catch (e) {
      errCode(e);
      return { ok: true, path: candidate }; // does not exist yet: may be created
    }
    if (!st.isSymbolicLink()) return { ok: true, path: candidate };
    if (depth >= MAX_LINKS) return { ok: false, code: 'ELOOP' };
    let target: string;
    try {
      target = fs.readlinkSync(candidate);
    } catch (e) {
      return { ok: false, code: errCode(e) };
    }
    return this.resolveAbs(path.resolve(realDir, target), true, depth + 1);
  }

  private ancestorInside(dir: string): boolean {
    for (let d = path.dirname(dir); ; d = path.dirname(d)) {
      try {
        return inside(fs.realpathSync.native(d), this.realRoot);
      } catch (e) {
        errCode(e);
        if (path.dirname(d) === d) return false;
      }
    }
  }
}
