#ifndef CLIBCRYPTO_SHIM_H
#define CLIBCRYPTO_SHIM_H
/* The platform's OpenSSL libcrypto, for the emulator's RS256 signatures only (see
 * Sources/KakaoEmulator/State/RS256Signer.swift). libpq already links it. */
#include <openssl/err.h>
#include <openssl/evp.h>
#endif
