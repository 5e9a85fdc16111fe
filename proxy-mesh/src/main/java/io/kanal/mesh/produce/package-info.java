/**
 * The produce path: record batches split into records and written through one kafka-clients producer per cluster,
 * producer ids issued by the mesh with broker-like sequence checks so retries are never written twice, transactions
 * refused.
 */
package io.kanal.mesh.produce;
