#!/bin/bash -eu
# Builds every parley fuzzer the way OSS-Fuzz and ClusterFuzzLite expect: compiled with $CXX and
# $CXXFLAGS (which carry the sanitizer and the coverage flags), linked with $LIB_FUZZING_ENGINE,
# and copied to $OUT with <fuzzer>_seed_corpus.zip, <fuzzer>.dict and <fuzzer>.options.
#
# The services run it inside the image of ci/oss-fuzz/Dockerfile (ClusterFuzzLite: of
# .clusterfuzzlite/Dockerfile, through .clusterfuzzlite/build.sh), with the source in
# $SRC/parley. To try it on a workstation, set the same variables (docs/fuzzing.md shows how).
#
# What it packs follows the conventions of ci/fuzz/conventions.py (the campaign's and the
# benchmarks'): seeds in corpus/<fuzzer>/ and corpus/regressions/<fuzzer>/, corpus/<fuzzer>.dict,
# corpus/<fuzzer>.options; fuzz_empty, the exec/s ceiling, is left out. Change them together.
# The seed archives are written by ci/oss-fuzz/pack-seeds.py.
#
# parley links Debian/Ubuntu's yaml-cpp, RE2 and Boost.Program_options, which are built against
# libstdc++, so -stdlib=libc++ is dropped from the flags; MemorySanitizer is therefore not
# supported (project.yaml lists address and undefined).
#
# The services run the fuzzers in their runner image, which has the C and C++ runtimes but none
# of the libraries the Dockerfile installs: the shared libraries a fuzzer needs beyond the
# runtimes are copied to $OUT/lib, where the fuzzers find them (RUNPATH $ORIGIN/lib).
# ci/oss-fuzz/test-build.py runs this script as the services do and checks what it writes.

set -eu

src=${PARLEY_SRC:-$SRC/parley}
build=$WORK/parley-build

CXXFLAGS=${CXXFLAGS//-stdlib=libc++/}

cmake -S "$src" -B "$build" -G Ninja \
  -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DCMAKE_BUILD_TYPE= \
  -DCMAKE_BUILD_RPATH='$ORIGIN/lib' \
  -DPARLEY_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" \
  -DPARLEY_FUZZ=OFF -DPARLEY_SANITIZE=OFF -DPARLEY_WERROR=OFF -DPARLEY_BENCHMARKS=OFF
cmake --build "$build" --target fuzzers -j "$(nproc)"

# Copies to $OUT/lib the shared libraries binary $1 loads that are not the C and C++ runtimes.
bundle_libraries() {
  local lib
  ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | while read -r lib; do
    case "${lib##*/}" in
      libc.so.* | libm.so.* | libdl.so.* | librt.so.* | libpthread.so.* | libresolv.so.* | \
        libstdc++.so.* | libgcc_s.so.* | ld-linux*) ;;
      *) mkdir -p "$OUT/lib" && cp -L "$lib" "$OUT/lib/" ;;
    esac
  done
}

for binary in "$build"/bin/fuzz_*; do
  fuzzer=$(basename "$binary")
  [ "$fuzzer" != fuzz_empty ] || continue
  cp "$binary" "$OUT/"
  bundle_libraries "$binary"
  rm -f "$OUT/${fuzzer}_seed_corpus.zip"
  seeds=()
  for dir in "$src/corpus/$fuzzer" "$src/corpus/regressions/$fuzzer"; do
    [ -d "$dir" ] && seeds+=("$dir")
  done
  if [ ${#seeds[@]} -gt 0 ]; then
    # Flat archive; names made unique by content, as libFuzzer names corpus files.
    python3 "$src/ci/oss-fuzz/pack-seeds.py" "$OUT/${fuzzer}_seed_corpus.zip" "${seeds[@]}" \
      >/dev/null
  fi
  # corpus/<fuzzer>.options holds the [libfuzzer] section; the dictionary joins it.
  options="[libfuzzer]"
  if [ -f "$src/corpus/$fuzzer.options" ]; then
    options=$(grep -v '^#' "$src/corpus/$fuzzer.options")
  fi
  if [ -f "$src/corpus/$fuzzer.dict" ]; then
    cp "$src/corpus/$fuzzer.dict" "$OUT/$fuzzer.dict"
    options+=$'\n'"dict = $fuzzer.dict"
  fi
  printf '%s\n' "$options" >"$OUT/$fuzzer.options"
  echo "built $fuzzer"
done
