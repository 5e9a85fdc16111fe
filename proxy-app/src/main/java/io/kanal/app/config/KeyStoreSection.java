package io.kanal.app.config;

import io.kanal.app.admin.SecretRedaction;

/**
 * A {@code keyStore} as written: a PKCS12 or JKS file holding a private key and its certificate chain.
 * {@link #toString()} hides the passwords.
 *
 * @param file        the key store file
 * @param type        {@code PKCS12} or {@code JKS}; default from the file name ({@code .jks} is JKS, else PKCS12)
 * @param password    the store's password
 * @param keyPassword the key entry's password; default {@code password}
 * @param alias       the entry to use; needed only when the store holds several keys
 */
record KeyStoreSection(String file, String type, String password, String keyPassword, String alias) {

    @Override
    public String toString() {
        return "KeyStoreSection[file=" + file + ", type=" + type + ", password=" + SecretRedaction.mask(password)
                + ", keyPassword=" + SecretRedaction.mask(keyPassword) + ", alias=" + alias + "]";
    }
}
