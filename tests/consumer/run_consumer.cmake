# cmake -P run_consumer.cmake: configures, builds and runs the consumer project.
#   MODE=find_package      installs COACT_BINARY_DIR to WORK_DIR/prefix and finds it there
#                          (CAPNP_FIRST=ON: the consumer finds Cap'n Proto before coact)
#   MODE=add_subdirectory  builds COACT_SOURCE_DIR as a subdirectory of the consumer
# Starts from an empty WORK_DIR each time so that nothing left by an earlier run (a
# stale header, a cached path) can make it pass; ccache keeps the rebuild cheap.
cmake_minimum_required(VERSION 3.25)

foreach(var MODE WORK_DIR CONSUMER_SOURCE_DIR COACT_SOURCE_DIR COACT_BINARY_DIR GENERATOR
    CXX_COMPILER)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_consumer.cmake: ${var} is not set")
  endif()
endforeach()

file(REMOVE_RECURSE ${WORK_DIR})
set(build_dir ${WORK_DIR}/build)

set(configure_args
  -S ${CONSUMER_SOURCE_DIR} -B ${build_dir} -G ${GENERATOR}
  -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}
  -DCMAKE_C_COMPILER=${C_COMPILER}
  -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
  -DCMAKE_C_COMPILER_LAUNCHER=${C_COMPILER_LAUNCHER}
  -DCMAKE_CXX_COMPILER_LAUNCHER=${CXX_COMPILER_LAUNCHER}
  -DCMAKE_BUILD_TYPE=${BUILD_TYPE}
  "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
  "-DCMAKE_EXE_LINKER_FLAGS=${CXX_FLAGS}")

if(MODE STREQUAL "find_package")
  set(prefix ${WORK_DIR}/prefix)
  message(STATUS "consumer: installing ${COACT_BINARY_DIR} to ${prefix}")
  execute_process(COMMAND ${CMAKE_COMMAND} --install ${COACT_BINARY_DIR} --prefix ${prefix}
    OUTPUT_QUIET COMMAND_ERROR_IS_FATAL ANY)
  # Only the fresh prefix may provide coact, not the source or build tree.
  list(APPEND configure_args -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
  if(CAPNP_FIRST)
    list(APPEND configure_args -DCONSUMER_CAPNP_FIRST=ON)
  endif()
elseif(MODE STREQUAL "add_subdirectory")
  list(APPEND configure_args -DCOACT_SOURCE_DIR=${COACT_SOURCE_DIR})
else()
  message(FATAL_ERROR "run_consumer.cmake: unknown MODE '${MODE}'")
endif()

message(STATUS "consumer: configuring (${MODE})")
execute_process(COMMAND ${CMAKE_COMMAND} ${configure_args} COMMAND_ERROR_IS_FATAL ANY)
message(STATUS "consumer: building")
execute_process(COMMAND ${CMAKE_COMMAND} --build ${build_dir} COMMAND_ERROR_IS_FATAL ANY)
message(STATUS "consumer: running")
execute_process(COMMAND ${build_dir}/coact-consumer COMMAND_ERROR_IS_FATAL ANY)
