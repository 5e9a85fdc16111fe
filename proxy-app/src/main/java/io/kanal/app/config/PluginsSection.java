package io.kanal.app.config;

/**
 * The optional {@code plugins} section as written.
 *
 * @param directory where plugin jars are; {@code --plugins DIR} on the command line takes its place
 */
record PluginsSection(String directory) {
}
