package emulator

import "net/http"

// ControlHeader must be present (with any non-empty value) on every control
// API call. A browser page cannot send it to another origin: a custom header
// makes the browser ask first with a CORS preflight, which the emulator never
// grants. So a web page a developer opens cannot reset the emulator or inject
// faults into it, while curl, scripts and tests send it freely.
const ControlHeader = "X-Alidr-Emulator-Control"

// requireControlHeader answers 403 and returns false unless r carries
// ControlHeader and no Origin. Browsers send Origin on every cross-origin
// request and on same-origin non-GET ones, which covers a page served by the
// emulator itself (an HTML object in an OSS bucket); command-line clients
// send none.
func requireControlHeader(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get(ControlHeader) == "" {
		controlFail(w, http.StatusForbidden, "the control API needs the header %s: 1 (browsers cannot send it cross-origin)", ControlHeader)
		return false
	}
	if r.Header.Get("Origin") != "" {
		controlFail(w, http.StatusForbidden, "the control API refuses requests from web pages (an Origin header was sent)")
		return false
	}
	return true
}
