/**
 * The mesh's configuration as the engine takes it: listener, upstream clusters with their producer settings, routing
 * rules. The application reads it from YAML and checks it before anything starts.
 */
package io.kanal.mesh.config;
