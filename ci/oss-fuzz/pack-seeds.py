#!/usr/bin/env python3
"""usage: pack-seeds.py ZIP DIR...

Writes ZIP, a seed corpus as OSS-Fuzz and ClusterFuzzLite take it: a flat archive of the files
directly in each DIR, each named by the SHA-1 of its content as libFuzzer names corpus files (so
a seed and a regression input with the same bytes are stored once). The archive is the same for
the same inputs: entries sorted, timestamps fixed. Prints the number of entries."""

import hashlib
import pathlib
import sys
import zipfile


def seed_names(dirs):
    """{sha1 name: path} of the files directly in dirs, the first path of equal contents."""
    names = {}
    for folder in dirs:
        for path in sorted(pathlib.Path(folder).iterdir()):
            if path.is_file():
                names.setdefault(hashlib.sha1(path.read_bytes()).hexdigest(), path)
    return names


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    archive, dirs = pathlib.Path(argv[0]), argv[1:]
    names = seed_names(dirs)
    tmp = archive.with_name(archive.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for name in sorted(names):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, names[name].read_bytes())
    tmp.replace(archive)
    print(len(names))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
