/** Metadata answered by the mesh: itself as the only broker, the routed topics of every cluster. */
package io.kanal.mesh.metadata;
