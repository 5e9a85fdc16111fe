package io.kanal.app.config;

import io.kanal.app.admin.SecretRedaction;

/**
 * A {@code trustStore} as written: the certificates (usually CAs) the other side's certificate must chain to.
 * {@link #toString()} hides the password.
 *
 * @param file     a PEM file of certificates, or a PKCS12 or JKS key store of trusted certificate entries
 * @param type     {@code PEM}, {@code PKCS12} or {@code JKS}; default from the file name ({@code .pem}, {@code .crt},
 *                 {@code .cer}: PEM; {@code .jks}: JKS; else PKCS12)
 * @param password the store's password; not used for PEM
 */
record TrustStoreSection(String file, String type, String password) {

    @Override
    public String toString() {
        return "TrustStoreSection[file=" + file + ", type=" + type + ", password=" + SecretRedaction.mask(password)
                + "]";
    }
}
