package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// newRequestID returns an id shaped like the services' request ids.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := strings.ToUpper(hex.EncodeToString(b[:]))
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
}

// rpcError is the JSON error body of ECS RPC calls.
type rpcError struct {
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
	// AccessDeniedDetail comes with refusals by RAM.
	AccessDeniedDetail *accessDeniedDetail `json:"AccessDeniedDetail,omitempty"`
}

// writeRPCError answers an ECS RPC call with the service's error shape.
func writeRPCError(w http.ResponseWriter, status int, code, message string) {
	writeRPCErrorDetail(w, status, code, message, nil)
}

// writeRPCErrorDetail is writeRPCError with a refusal's AccessDeniedDetail.
func writeRPCErrorDetail(w http.ResponseWriter, status int, code, message string, detail *accessDeniedDetail) {
	id := newRequestID()
	writeJSON(w, status, rpcError{
		RequestID:          id,
		HostID:             "ecs.aliyuncs.com",
		Code:               code,
		Message:            message,
		Recommend:          "https://api.aliyun.com/troubleshoot?q=" + code + "&product=Ecs&requestId=" + id,
		AccessDeniedDetail: detail,
	})
}

// writeJSON writes v as a JSON response body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
