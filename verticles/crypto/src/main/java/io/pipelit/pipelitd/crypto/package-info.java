/**
 * Field encryption for secrets at rest: {@link io.pipelit.pipelitd.crypto.Fernet} (tokens
 * interchangeable with Python's {@code cryptography.fernet}) and
 * {@link io.pipelit.pipelitd.crypto.FieldKeyring} (the comma-separated {@code FIELD_ENCRYPTION_KEY},
 * Pipelit's null/empty rules, rotation). A library on the JDK's own cryptography, no verticle.
 */
package io.pipelit.pipelitd.crypto;
