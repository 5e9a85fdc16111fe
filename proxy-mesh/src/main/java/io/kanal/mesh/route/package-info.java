/** Which cluster a topic lives in: the mesh's forwarding rules, first match wins. */
package io.kanal.mesh.route;
