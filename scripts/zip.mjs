// Writes a zip archive whose file modes and timestamps are fixed by the caller, never read from the disk: a Lambda
// layer zipped by CDK at deploy time takes the deploying machine's modes (from Windows, or under a strict umask, an
// extension loses its executable bit and every function using it fails to start with Extension.LaunchError).
// Shipping the layer as this zip makes it the same from every machine, and the fixed timestamp keeps the asset hash
// stable. Format: PKWARE APPNOTE 6.3.10, sections 4.3.7 (local header), 4.3.12 (central directory), 4.3.16 (end).
import { readFileSync, writeFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data) {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// 1980-01-01 00:00 in MS-DOS date/time, the earliest a zip can say.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
// "Version made by": 3 = UNIX (the upper byte), so readers apply the mode in the external attributes' upper half.
const MADE_BY_UNIX = (3 << 8) | 20;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

/** Version needed, flags, method, time, date, CRC-32, sizes and name length, as both headers lay them out from `at`. */
function writeSharedFields(buffer, at, { method, crc, compressedSize, size, nameLength }) {
  buffer.writeUInt16LE(20, at); // version needed: 2.0 (deflate)
  buffer.writeUInt16LE(0x0800, at + 2); // names are UTF-8
  buffer.writeUInt16LE(method, at + 4);
  buffer.writeUInt16LE(DOS_TIME, at + 6);
  buffer.writeUInt16LE(DOS_DATE, at + 8);
  buffer.writeUInt32LE(crc, at + 10);
  buffer.writeUInt32LE(compressedSize, at + 14);
  buffer.writeUInt32LE(size, at + 18);
  buffer.writeUInt16LE(nameLength, at + 22);
}

/**
 * Writes `entries` to `outfile`, in the order given. Each entry is `{ name, mode }` for a directory (name ending in
 * `/`) or `{ name, mode, source }` for a file read from `source`. `mode` is the permission bits, e.g. 0o755.
 */
export function writeZip(outfile, entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const entry of entries) {
    const isDir = entry.name.endsWith('/');
    const name = Buffer.from(entry.name, 'utf8');
    const raw = isDir ? Buffer.alloc(0) : readFileSync(entry.source);
    const deflated = isDir ? raw : deflateRawSync(raw, { level: 9 });
    const method = isDir ? 0 : 8;
    const crc = crc32(raw);
    // The local header and the central directory entry share a run of fields: from offset 4 and 6 respectively.
    const fields = { method, crc, compressedSize: deflated.length, size: raw.length, nameLength: name.length };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeSharedFields(local, 4, fields);
    local.writeUInt16LE(0, 28); // extra length
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(MADE_BY_UNIX, 4);
    writeSharedFields(central, 6, fields);
    // extra length, comment length, disk number, internal attributes: 0
    const unixMode = (isDir ? S_IFDIR : S_IFREG) | entry.mode;
    central.writeUInt32LE(((unixMode << 16) | (isDir ? 0x10 : 0)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, deflated);
    centrals.push(central, name);
    offset += local.length + name.length + deflated.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(outfile, Buffer.concat([...locals, ...centrals, end]));
}
