#!/bin/bash -eu
# ClusterFuzzLite runs $SRC/build.sh in the image of .clusterfuzzlite/Dockerfile. parley has one
# build for OSS-Fuzz and ClusterFuzzLite: ci/oss-fuzz/build.sh.
exec bash "$SRC/parley/ci/oss-fuzz/build.sh"
