/** The plugin SPI: how a jar in the plugins folder adds verticles to pipelitd ({@link io.pipelit.pipelitd.contracts.plugin.PipelitdPlugin}). */
package io.pipelit.pipelitd.contracts.plugin;
