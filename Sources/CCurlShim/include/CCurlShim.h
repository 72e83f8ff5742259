#ifndef CCURLSHIM_H
#define CCURLSHIM_H

#include <curl/curl.h>

// Swift cannot call C variadic functions, so curl_easy_setopt and
// curl_easy_getinfo get one typed entry point per argument type.

/// The signature curl uses for its write, header and read callbacks.
typedef size_t (*ccurl_io_callback)(char *data, size_t size, size_t count, void *context);

/// curl_global_init(CURL_GLOBAL_DEFAULT) exactly once per process (thread-safe);
/// every call returns the result of that one initialisation.
CURLcode ccurl_global_init(void);

CURLcode ccurl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
/// curl copies strings it is given (except CURLOPT_POSTFIELDS), so `value` may be temporary.
CURLcode ccurl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode ccurl_setopt_callback(CURL *handle, CURLoption option, ccurl_io_callback value);

/// The signature of CURLOPT_XFERINFOFUNCTION: a non-zero return aborts the transfer.
typedef int (*ccurl_xferinfo_callback)(void *context, curl_off_t download_total, curl_off_t download_now,
                                       curl_off_t upload_total, curl_off_t upload_now);
CURLcode ccurl_setopt_xferinfo(CURL *handle, ccurl_xferinfo_callback value);

CURLcode ccurl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ccurl_getinfo_string(CURL *handle, CURLINFO info, char **value);

#endif
