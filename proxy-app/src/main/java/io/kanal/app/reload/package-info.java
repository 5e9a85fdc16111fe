/**
 * Reloading the configuration file while Kanal runs: on SIGHUP, and when the file changes on disk.
 */
package io.kanal.app.reload;
