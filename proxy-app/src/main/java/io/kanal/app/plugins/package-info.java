/**
 * Finding {@link io.kanal.proxy.filter.FilterFactory} implementations: with {@link java.util.ServiceLoader}, on the
 * application class path and in the jars of the plugins directory ({@code --plugins DIR} or
 * {@code plugins.directory}).
 */
package io.kanal.app.plugins;
