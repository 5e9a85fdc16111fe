/**
 * SASL at the proxy: {@link io.kanal.proxy.sasl.SaslServerHandler} authenticates a virtual cluster's clients itself
 * (termination) against a {@link io.kanal.proxy.sasl.CredentialStore}, such as a
 * {@link io.kanal.proxy.sasl.CredentialsFile}; {@link io.kanal.proxy.sasl.UpstreamSaslHandler} logs every broker
 * connection in with the cluster's own {@link io.kanal.proxy.sasl.UpstreamCredentials}. Without either, SASL passes
 * through to the brokers untouched. {@link io.kanal.proxy.sasl.SaslSettings} says which a virtual cluster does.
 */
package io.kanal.proxy.sasl;
