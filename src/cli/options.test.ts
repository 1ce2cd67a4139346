import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOptions, usage, debugHelp, SUPPORTED_DEBUG } from './options.js';
import { UserError } from '../core/errors.js';

/** Parse with `-M virt` in front, so only the flags under test matter. */
function parse(...args: string[]) {
  return parseOptions(['-M', 'virt', ...args], 'riscv64');
}

/** The arguments fail with exactly `message`, as a one-line UserError with exit status 1. */
function rejects(args: string[], message: string) {
  assert.throws(
    () => parseOptions(args, 'riscv64'),
    (e: unknown) => {
      assert.ok(e instanceof UserError, `expected a UserError, got ${String(e)}`);
      assert.equal(e.message, message);
      assert.ok(!e.message.includes('\n'), 'message is one line');
      assert.equal(e.exitCode, 1);
      return true;
    },
  );
}

test('defaults with only a machine', () => {
  const o = parse();
  assert.deepEqual(o, {
    machine: 'virt', machineProps: {}, cpu: undefined, memBytes: undefined, smp: 1, bios: undefined,
    kernel: undefined, append: undefined, initrd: undefined, nographic: false, serial: [],
    semihosting: false, semihostingArgs: [], semihostingUserspace: false, plugins: [], debug: [], logFile: undefined,
    icount: undefined, maxInsns: undefined, singlestep: false, display: undefined, monitor: undefined,
    noReboot: false, help: false, version: false,
  });
});

test('a typical QEMU command line parses whole', () => {
  const o = parseOptions(
    ['-machine', 'virt', '-nographic', '-bios', 'none', '-m', '256M', '-smp', '2', '-kernel', 'demo.elf',
      '-append', 'console=ttyS0 quiet', '-initrd', 'rootfs.cpio', '-serial', 'mon:stdio', '-plugin', 'traps',
      '-d', 'int', '-D', 'log.txt', '-no-reboot'],
    'riscv64',
  );
  assert.equal(o.machine, 'virt');
  assert.equal(o.nographic, true);
  assert.equal(o.bios, 'none');
  assert.equal(o.memBytes, 256 * 2 ** 20);
  assert.equal(o.smp, 2);
  assert.equal(o.kernel, 'demo.elf');
  assert.equal(o.append, 'console=ttyS0 quiet');
  assert.equal(o.initrd, 'rootfs.cpio');
  assert.deepEqual(o.serial, ['mon:stdio']);
  assert.deepEqual(o.plugins, ['traps']);
  assert.deepEqual(o.debug, ['int']);
  assert.equal(o.logFile, 'log.txt');
  assert.equal(o.noReboot, true);
});

test('double-dash flags are the same flags', () => {
  const o = parseOptions(['--machine', 'virt', '--kernel', 'k.elf', '--nographic', '--m', '64'], 'riscv64');
  assert.equal(o.machine, 'virt');
  assert.equal(o.kernel, 'k.elf');
  assert.equal(o.nographic, true);
  assert.equal(o.memBytes, 64 * 2 ** 20);
});

test('a value is the next argument even when it starts with a dash', () => {
  assert.equal(parse('-append', '-v --debug').append, '-v --debug');
  assert.equal(parse('-kernel', '-').kernel, '-');
});

test('a flag given twice keeps its last value', () => {
  const o = parse('-kernel', 'a.elf', '-kernel', 'b.elf', '-m', '64', '-m', '128', '-d', 'int', '-d', 'exec');
  assert.equal(o.kernel, 'b.elf');
  assert.equal(o.memBytes, 128 * 2 ** 20);
  assert.deepEqual(o.debug, ['exec']);
});

test('-M and -machine take a name and properties, merged over repeats', () => {
  assert.equal(parseOptions(['-M', 'virt'], 'riscv64').machine, 'virt');
  const o = parseOptions(['-machine', 'virt,aclint=on', '-M', 'aia=aplic,dumpdtb=a,,b.dtb'], 'riscv32');
  assert.equal(o.machine, 'virt');
  assert.deepEqual(o.machineProps, { aclint: 'on', aia: 'aplic', dumpdtb: 'a,b.dtb' });
  assert.equal(parseOptions(['-M', 'type=spike'], 'riscv64').machine, 'spike');
});

test('-M help asks for the machine list, and needs no other machine', () => {
  assert.equal(parseOptions(['-M', 'help'], 'riscv64').machine, 'help');
  assert.equal(parseOptions(['-machine', '?'], 'riscv64').machine, 'help');
  assert.deepEqual(parseOptions(['-M', 'virt,help'], 'riscv64').machineProps, { help: 'on' });
});

test('-M property without a value names it in one line', () => {
  rejects(['-M', 'virt,aclint'], "-M: expected '=' after parameter 'aclint'");
});

test('no machine is an error unless help, version or a list is asked for', () => {
  rejects([], 'no machine specified (use -M virt)');
  rejects(['-kernel', 'k.elf'], 'no machine specified (use -M virt)');
  assert.equal(parseOptions(['-h'], 'riscv64').help, true);
  assert.equal(parseOptions(['-version'], 'riscv64').version, true);
  assert.equal(parseOptions(['-cpu', 'help'], 'riscv64').cpu, 'help');
  assert.deepEqual(parseOptions(['-d', 'help'], 'riscv64').debug, ['help']);
});

test('-cpu is kept verbatim, ? means help', () => {
  assert.equal(parse('-cpu', 'rv64,v=true,vlen=256').cpu, 'rv64,v=true,vlen=256');
  assert.equal(parse('-cpu', '?').cpu, 'help');
});

test('-m accepts QEMU size suffixes', () => {
  const MiB = 2 ** 20;
  assert.equal(parse('-m', '128').memBytes, 128 * MiB); // plain number: MiB
  assert.equal(parse('-m', '128M').memBytes, 128 * MiB);
  assert.equal(parse('-m', '128m').memBytes, 128 * MiB);
  assert.equal(parse('-m', '1G').memBytes, 1024 * MiB);
  assert.equal(parse('-m', '2g').memBytes, 2048 * MiB);
  assert.equal(parse('-m', '512k').memBytes, 512 * 1024);
  assert.equal(parse('-m', '1T').memBytes, 2 ** 40);
  assert.equal(parse('-m', 'size=128M').memBytes, 128 * MiB);
  assert.equal(parse('-m', 'size=64').memBytes, 64 * MiB);
  assert.equal(parse('-m', '1.5G').memBytes, 1536 * MiB);
  assert.equal(parse('-m', '0x10').memBytes, 16 * MiB);
});

test('-m rounds up to 8 KiB and treats 0 as the machine default, as QEMU', () => {
  assert.equal(parse('-m', '100k').memBytes, 104 * 1024);
  assert.equal(parse('-m', '127B').memBytes, 8192);
  assert.equal(parse('-m', '0').memBytes, undefined);
  assert.equal(parse('-m', '').memBytes, undefined);
});

test('-m rejects a bad size naming it', () => {
  rejects(['-M', 'virt', '-m', 'abc'], "-m: invalid size 'abc'");
  rejects(['-M', 'virt', '-m', '-1'], "-m: invalid size '-1'");
  rejects(['-M', 'virt', '-m', '1.5'], "-m: invalid size '1.5'"); // a fraction needs a suffix
  rejects(['-M', 'virt', '-m', '1e3'], "-m: invalid size '1e3'");
  rejects(['-M', 'virt', '-m', 'size='], "-m: invalid size ''");
  rejects(['-M', 'virt', '-m', '128M,bogus=1'], "-m: invalid parameter 'bogus'");
  rejects(['-M', 'virt', '-m', '128M,maxmem=1G'], '-m: maxmem= (memory hotplug) is not supported by tracehook');
});

test('-smp takes a count or a topology', () => {
  assert.equal(parse().smp, 1);
  assert.equal(parse('-smp', '4').smp, 4);
  assert.equal(parse('-smp', 'cpus=3').smp, 3);
  assert.equal(parse('-smp', 'sockets=2,cores=2').smp, 4);
  assert.equal(parse('-smp', 'cores=2,threads=2').smp, 4);
  assert.equal(parse('-smp', '2,maxcpus=4').smp, 2);
});

test('-smp 0 is rejected', () => {
  rejects(['-M', 'virt', '-smp', '0'], "-smp: 'cpus' must be at least 1");
  rejects(['-M', 'virt', '-smp', 'cores=0'], "-smp: 'cores' must be at least 1");
});

test('-smp rejects a bad count or a topology that does not add up', () => {
  rejects(['-M', 'virt', '-smp', 'abc'], "-smp: 'cpus' expects a number, got 'abc'");
  rejects(['-M', 'virt', '-smp', '2,foo=1'], "-smp: invalid parameter 'foo'");
  rejects(
    ['-M', 'virt', '-smp', '3,cores=2'],
    '-smp: invalid CPU topology: sockets (1) * dies (1) * clusters (1) * cores (2) * threads (1) != maxcpus (3)',
  );
});

test('-bios, -kernel, -append and -initrd are taken verbatim', () => {
  const o = parse('-bios', 'none', '-kernel', 'path with spaces.elf', '-append', 'a,b c', '-initrd', 'i.cpio');
  assert.equal(o.bios, 'none');
  assert.equal(o.kernel, 'path with spaces.elf');
  assert.equal(o.append, 'a,b c');
  assert.equal(o.initrd, 'i.cpio');
});

test('boolean flags: -nographic, -semihosting, -singlestep, -no-reboot', () => {
  const o = parse('-nographic', '-semihosting', '-singlestep', '-no-reboot');
  assert.equal(o.nographic, true);
  assert.equal(o.semihosting, true);
  assert.equal(o.singlestep, true);
  assert.equal(o.noReboot, true);
});

test('-serial accepts stdio, mon:stdio, none, null and file:PATH, in order', () => {
  assert.deepEqual(parse('-serial', 'stdio', '-serial', 'file:/tmp/uart1.log', '-serial', 'null', '-serial', 'none').serial, [
    'stdio', 'file:/tmp/uart1.log', 'null', 'none',
  ]);
  assert.deepEqual(parse('-serial', 'mon:stdio').serial, ['mon:stdio']);
});

test('-serial rejects other devices, an empty file: and stdio twice', () => {
  rejects(['-M', 'virt', '-serial', 'tcp::4444'],
    "-serial: unsupported serial device 'tcp::4444' (accepted: stdio, mon:stdio, null, none, file:PATH)");
  rejects(['-M', 'virt', '-serial', 'file:'], '-serial: file: needs a path');
  rejects(['-M', 'virt', '-serial', 'stdio', '-serial', 'mon:stdio'],
    '-serial: cannot use stdio for more than one serial port');
});

test('-semihosting-config enables semihosting and collects args', () => {
  const o = parse('-semihosting-config', 'enable=on,target=native,arg=prog,arg=a,,b');
  assert.equal(o.semihosting, true);
  assert.deepEqual(o.semihostingArgs, ['prog', 'a,b']);
  assert.equal(parse('-semihosting-config', 'arg=x').semihosting, true); // enable defaults to on
  assert.equal(parse('-semihosting-config', 'target=auto').semihosting, true);
  assert.equal(parse('-semihosting-config', 'enable=off').semihosting, false);
  assert.deepEqual(parse('-semihosting-config', 'arg=a', '-semihosting-config', 'arg=b').semihostingArgs, ['a', 'b']);
  assert.equal(parse('-semihosting-config', 'enable=on').semihostingUserspace, false);
  assert.equal(parse('-semihosting-config', 'enable=on,userspace=on').semihostingUserspace, true);
});

test('-semihosting-config rejects what tracehook lacks', () => {
  rejects(['-M', 'virt', '-semihosting-config', 'enable=on,target=gdb'],
    '-semihosting-config: target=gdb is not supported by tracehook');
  rejects(['-M', 'virt', '-semihosting-config', 'target=bogus'],
    "-semihosting-config: unsupported target 'bogus' (accepted: native, auto)");
  rejects(['-M', 'virt', '-semihosting-config', 'chardev=c0'], '-semihosting-config: chardev= is not supported by tracehook');
  rejects(['-M', 'virt', '-semihosting-config', 'foo=bar'], "-semihosting-config: invalid parameter 'foo'");
  rejects(['-M', 'virt', '-semihosting-config', 'enable=maybe'],
    "-semihosting-config: parameter 'enable' expects 'on' or 'off', got 'maybe'");
});

test('-plugin specs are kept verbatim and in order', () => {
  assert.deepEqual(parse('-plugin', 'traps', '-plugin', './my.js,count=on,,x').plugins, ['traps', './my.js,count=on,,x']);
});

test('-d takes known log items, and help', () => {
  assert.deepEqual(parse('-d', 'int,exec,in_asm,cpu,nochain').debug, ['int', 'exec', 'in_asm', 'cpu', 'nochain']);
  assert.deepEqual(parse('-d', 'in_asm,in_asm').debug, ['in_asm']);
  assert.deepEqual(parse('-d', 'help').debug, ['help']);
  for (const item of ['int', 'exec', 'in_asm', 'cpu', 'nochain']) assert.ok(SUPPORTED_DEBUG.includes(item));
  const help = debugHelp();
  assert.match(help, /^Log items \(comma separated\):\n/);
  for (const item of SUPPORTED_DEBUG) assert.match(help, new RegExp(`^${item} +\\S`, 'm'));
});

test('-d unknown item is named with the accepted list', () => {
  rejects(['-M', 'virt', '-d', 'int,bogus'], `-d: unknown log item 'bogus' (accepted: ${SUPPORTED_DEBUG.join(', ')})`);
  rejects(['-M', 'virt', '-d', 'int,'], `-d: unknown log item '' (accepted: ${SUPPORTED_DEBUG.join(', ')})`);
  rejects(['-M', 'virt', '-d', 'help,int'], `-d: unknown log item 'help' (accepted: ${SUPPORTED_DEBUG.join(', ')})`);
});

test('-D names the log file', () => {
  assert.equal(parse('-D', 'trace.log').logFile, 'trace.log');
});

test('-icount takes a shift, sleep and align as QEMU', () => {
  assert.deepEqual(parse('-icount', '3').icount, { shift: 3, sleep: true });
  assert.deepEqual(parse('-icount', 'shift=0,sleep=off').icount, { shift: 0, sleep: false });
  assert.deepEqual(parse('-icount', 'shift=10,sleep=on,align=on').icount, { shift: 10, sleep: true });
  assert.deepEqual(parse('-icount', '4,nosleep').icount, { shift: 4, sleep: false }); // QemuOpts short form
  assert.equal(parse('-icount', 'sleep=off').icount, undefined); // no shift: icount stays off, as QEMU
});

test('-icount shift out of 0..10 is rejected', () => {
  rejects(['-M', 'virt', '-icount', '11'], "-icount: invalid shift '11' (0..10)");
  rejects(['-M', 'virt', '-icount', 'shift=-1'], "-icount: invalid shift '-1' (0..10)");
  rejects(['-M', 'virt', '-icount', 'x'], "-icount: invalid shift 'x' (0..10)");
});

test('-icount auto is not supported: use a number', () => {
  rejects(['-M', 'virt', '-icount', 'auto'], '-icount: shift=auto is not supported: use a number (0..10)');
  rejects(['-M', 'virt', '-icount', 'shift=auto,sleep=on'], '-icount: shift=auto is not supported: use a number (0..10)');
});

test('-icount rejects bad sub-options', () => {
  rejects(['-M', 'virt', '-icount', '3,sleep=maybe'], "-icount: parameter 'sleep' expects 'on' or 'off', got 'maybe'");
  rejects(['-M', 'virt', '-icount', '3,foo=1'], "-icount: invalid parameter 'foo'");
  rejects(['-M', 'virt', '-icount', 'align=on'], '-icount: align needs a shift');
  rejects(['-M', 'virt', '-icount', '2,align=on,sleep=off'], '-icount: align=on and sleep=off are incompatible');
  rejects(['-M', 'virt', '-icount', '3,rr=record'], '-icount: rr= (record/replay) is not supported by tracehook');
});

test('-max-insns takes a positive count', () => {
  assert.equal(parse('-max-insns', '1000000').maxInsns, 1_000_000);
  assert.equal(parse('-max-insns', '0x100').maxInsns, 256);
  rejects(['-M', 'virt', '-max-insns', '0'], "-max-insns: invalid count '0' (a positive integer)");
  rejects(['-M', 'virt', '-max-insns', '1e6'], "-max-insns: invalid count '1e6' (a positive integer)");
});

test('-display and -monitor accept only none', () => {
  const o = parse('-display', 'none', '-monitor', 'none');
  assert.equal(o.display, 'none');
  assert.equal(o.monitor, 'none');
  assert.equal(parse('-monitor', 'null').monitor, 'null');
  rejects(['-M', 'virt', '-display', 'gtk'], "-display: display 'gtk' is not supported by tracehook (only none)");
  rejects(['-M', 'virt', '-monitor', 'stdio'], "-monitor: monitor 'stdio' is not supported by tracehook (only none)");
});

test('-h, -help and --help ask for help; -version and --version for the version', () => {
  for (const flag of ['-h', '-help', '--help', '--h']) assert.equal(parseOptions([flag], 'riscv64').help, true);
  for (const flag of ['-version', '--version']) assert.equal(parseOptions([flag], 'riscv32').version, true);
});

test('help or version wins over value errors, the first of them over the other', () => {
  const h = parseOptions(['-m', 'abc', 'disk.img', '-drive', 'file=x', '-h'], 'riscv64');
  assert.equal(h.help, true);
  assert.equal(h.version, false);
  const v = parseOptions(['-version', '-h'], 'riscv64');
  assert.equal(v.version, true);
  assert.equal(v.help, false);
});

test('unknown flag names itself in one line', () => {
  rejects(['-M', 'virt', '-foo'], '-foo: invalid option');
  rejects(['--foo'], '--foo: invalid option');
  rejects(['-h', '-foo'], '-foo: invalid option'); // checked before help, as QEMU
  rejects(['---kernel', 'k'], '---kernel: invalid option');
  rejects(['-'], '-: invalid option');
});

test('-flag=value is not QEMU syntax', () => {
  rejects(['-M', 'virt', '-kernel=k.elf'], '-kernel=k.elf: invalid option');
  rejects(['--m=128'], '--m=128: invalid option');
});

test('missing value names the flag as written', () => {
  rejects(['-M', 'virt', '-kernel'], '-kernel: requires an argument');
  rejects(['-M', 'virt', '--kernel'], '--kernel: requires an argument');
  rejects(['-h', '-m'], '-m: requires an argument');
  rejects(['-M'], '-M: requires an argument');
  rejects(['-M', 'virt', '-drive'], '-drive: requires an argument');
});

test('QEMU flags tracehook lacks are named as not supported', () => {
  rejects(['-M', 'virt', '-device', 'virtio-blk-device,drive=hd0'], '-device: not supported by tracehook');
  rejects(['-M', 'virt', '-drive', 'file=disk.img'], '-drive: not supported by tracehook');
  rejects(['-M', 'virt', '-netdev', 'user,id=n0'], '-netdev: not supported by tracehook');
  rejects(['-M', 'virt', '-s'], '-s: not supported by tracehook');
  rejects(['-M', 'virt', '-S'], '-S: not supported by tracehook');
  rejects(['-M', 'virt', '-gdb', 'tcp::1234'], '-gdb: not supported by tracehook');
  rejects(['-M', 'virt', '--enable-kvm'], '--enable-kvm: not supported by tracehook');
  rejects(['-M', 'virt', '-accel', 'tcg'], '-accel: not supported by tracehook');
});

test('a positional argument is refused as a disk image', () => {
  rejects(['-M', 'virt', 'FOO'], 'FOO: positional disk images are not supported');
  rejects(['FOO', '-M', 'virt'], 'FOO: positional disk images are not supported');
});

test('values are checked left to right: the first bad one is reported', () => {
  rejects(['-M', 'virt', '-smp', '0', '-m', 'abc'], "-smp: 'cpus' must be at least 1");
  rejects(['-M', 'virt', '-m', 'abc', '-smp', '0'], "-m: invalid size 'abc'");
});

test('usage lists every supported flag, one per line with a description', () => {
  const text = usage('riscv32');
  assert.match(text, /^usage: tracehook-riscv32 \[options\]\n/);
  for (const flag of ['-h or -help', '-version', '-machine', '-cpu', '-m', '-smp', '-bios', '-kernel', '-append',
    '-initrd', '-nographic', '-display', '-serial', '-monitor', '-semihosting', '-semihosting-config', '-plugin',
    '-d', '-D', '-icount', '-singlestep', '-max-insns', '-no-reboot']) {
    const line = text.split('\n').find((l) => l.startsWith(`${flag} `));
    assert.ok(line, `usage has a line for ${flag}`);
    assert.match(line, /\S {2,}\S/, `${flag} line has a description`);
  }
});
