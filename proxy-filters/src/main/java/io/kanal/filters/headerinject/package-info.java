/**
 * The {@code header-inject} filter: adds configured record headers to every record a client produces.
 *
 * <p>See {@link io.kanal.filters.headerinject.HeaderInjectFactory} for the configuration and
 * {@link io.kanal.filters.headerinject.HeaderInjectConfig} for its keys.
 */
package io.kanal.filters.headerinject;
