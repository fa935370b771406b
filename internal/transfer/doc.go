// Package transfer is the transfer and checksum engine of the provider:
// parallel ranged downloads pinned to one object version, per-part retry,
// CRC64-ECMA combined across parts, in-order MD5/SHA-256 with a bounded
// reorder window, a crash-safe append-only resume journal, manifests for
// later sampled verification, multipart upload/copy and optional zstd and
// AES-256-GCM stream transforms. It has no Terraform imports.
//
// Typical calls from the provider layer:
//
//	res, err := transfer.Download(ctx, bucket, key, path, transfer.Options{
//		MD5: true, SHA256: true, PartSHA256: true,
//		Progress: func(p transfer.Progress) { tflog.Info(ctx, "download", ...) },
//	})
//	// res.CRC64 (checked against OSS), res.MD5, res.SHA256, res.Manifest
//
//	res, err := transfer.Verify(ctx, bucket, key, opts)              // no file written
//	err := transfer.VerifySample(ctx, bucket, key, manifest, 10)     // 10% of the parts
//	res, err := transfer.Upload(ctx, bucket, key, path, opts)        // multipart, resumable
//	res, err := transfer.Copy(ctx, srcBucket, srcKey, dstBucket, dstKey, opts)
//
// Errors that stop a transfer are *ObjectError values naming oss://bucket/key;
// errors.Is(err, ErrObjectChanged) tells an object replaced mid-transfer.
//
// Download guarantees, in order of cost: every byte comes from a 206 answer
// whose Content-Range and length match the request for the pinned ETag; the
// combined CRC64 equals x-oss-hash-crc64ecma (a mismatch re-reads the parts
// and replaces the one that changed); digests are computed over the bytes
// written; each journal record follows an fdatasync covering its part
// (committed every CommitInterval beside the transfer), so a rerun after
// kill -9 or power loss refetches at most the parts in flight or finished
// since the last commit. Resumed parts are re-read and their CRC64
// re-checked before they are trusted. Durable also waits for the whole
// file to reach the disk before returning.
package transfer
