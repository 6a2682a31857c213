/* Test-only stand-in for bcryptprimitives.dll, which Debian 12's Wine 8 lacks and Rust's
 * standard library imports (ProcessPrng). installer/check-wine.sh builds it with mingw and puts
 * it beside the programs inside a throw-away Wine prefix; it is never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length); /* RtlGenRandom, advapi32 */

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, n)) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
