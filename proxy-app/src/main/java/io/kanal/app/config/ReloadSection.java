package io.kanal.app.config;

/**
 * The optional {@code reload} section as written.
 *
 * @param watch whether a change of the configuration file reloads it; default true
 */
record ReloadSection(Boolean watch) {
}
