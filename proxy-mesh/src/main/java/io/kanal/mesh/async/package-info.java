/**
 * Combining the answers the mesh gathers at once from several clusters, brokers or coordinators. The lowest layer of
 * the mesh: it depends on nothing else in it.
 */
package io.kanal.mesh.async;
