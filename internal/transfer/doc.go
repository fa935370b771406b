// Package transfer is the transfer and checksum engine of the provider:
// parallel ranged downloads pinned to one object version, per-part retry,
// CRC64-ECMA combined across parts, in-order MD5/SHA-256 with a bounded
// reorder window, a crash-safe append-only resume journal, manifests for
// later sampled verification, multipart upload/copy and optional zstd and
// AES-256-GCM stream transforms. It has no Terraform imports.
package transfer
