# Sourced by the build scripts: ccache as the compiler launcher when it is installed, as
# arguments for `cmake --preset` in ccache_args. The precompiled headers are only cached
# when ccache may ignore their macros and their fresh timestamps.
ccache_args=()
if command -v ccache >/dev/null; then
  ccache_args=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
fi
