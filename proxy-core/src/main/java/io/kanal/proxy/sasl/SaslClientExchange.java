package io.kanal.proxy.sasl;

import javax.security.sasl.SaslException;

/** The client side of one SASL login, token by token, as the proxy logs in to a broker. */
interface SaslClientExchange {

    /** The first token, sent in the first SaslAuthenticate request. */
    byte[] initialResponse() throws SaslException;

    /**
     * Takes the broker's next token.
     *
     * @return the token to send next, or {@code null} when the login is complete
     * @throws SaslException when the broker's token is not what the mechanism expects, or proves the broker wrong
     */
    byte[] evaluate(byte[] challenge) throws SaslException;

    /** What the broker said about rejecting the credentials within the exchange, when it said anything. */
    default String rejection() {
        return null;
    }
}
