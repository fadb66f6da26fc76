# skillpipe_add_plugin(<name> KIND <harvester|miner|judge|consolidator|store|backend>
#                      SOURCES <src>... [LINK <targets>...] [NO_INSTALL] [ALLOW_UNDEFINED]
#                      [OUTPUT_DIR <dir>])
# Builds libskillpipe_<name>.so the way the host expects: a MODULE with hidden visibility,
# no undefined symbols, written to the plugin directory that mirrors the install layout.
# The same file is installed with the SDK, so third-party plugins build exactly like ours.
function(skillpipe_add_plugin name)
  cmake_parse_arguments(ARG "NO_INSTALL;ALLOW_UNDEFINED" "KIND;OUTPUT_DIR" "SOURCES;LINK" ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS OR NOT ARG_KIND OR NOT ARG_SOURCES)
    message(FATAL_ERROR "skillpipe_add_plugin(${name}): needs KIND and SOURCES; unparsed: '${ARG_UNPARSED_ARGUMENTS}'")
  endif()
  set(_kinds harvester miner judge consolidator store backend)
  if(NOT ARG_KIND IN_LIST _kinds)
    message(FATAL_ERROR "skillpipe_add_plugin(${name}): KIND '${ARG_KIND}' is not one of ${_kinds}")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE skillpipe::sdk ${ARG_LINK})
  target_compile_definitions(${name} PRIVATE SKILLPIPE_PLUGIN_NAME="${name}")
  if(ARG_OUTPUT_DIR)
    set(_out ${ARG_OUTPUT_DIR})
  elseif(DEFINED SKILLPIPE_PLUGIN_OUTPUT_DIR)
    set(_out ${SKILLPIPE_PLUGIN_OUTPUT_DIR})
  else()
    set(_out ${CMAKE_CURRENT_BINARY_DIR}/plugins)
  endif()
  set_target_properties(${name} PROPERTIES
    PREFIX "lib" OUTPUT_NAME "skillpipe_${name}"
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${_out})
  if(NOT ARG_ALLOW_UNDEFINED)
    target_link_options(${name} PRIVATE "LINKER:--no-undefined")
  endif()
  if(NOT ARG_NO_INSTALL)
    include(GNUInstallDirs)
    install(TARGETS ${name} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/skillpipe/plugins)
  endif()
endfunction()
