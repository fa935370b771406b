package cloud

// Tags the provider writes on what it creates or verifies. They let a
// resumed apply find its own work and let recovery point queries see which
// points a verification run has proven.
const (
	// TagManagedBy marks resources created by this provider.
	TagManagedBy = "alidr:managed-by"
	// TagOwner holds the id of the Terraform resource that owns a cloud
	// resource (e.g. an image copy belongs to one alidr_replicated_image).
	TagOwner = "alidr:owner"
	// TagVerifiedAt is set (RFC 3339) on snapshots and images that an
	// alidr_verification_run has restored and checked successfully.
	TagVerifiedAt = "alidr:verified-at"
	// TagVerificationRun holds the id of the run that verified the point.
	TagVerificationRun = "alidr:verification-run"
)
