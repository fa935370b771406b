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
	// TagClaimed marks a cloud resource that a Terraform resource instance
	// has taken into its state: another resource instance whose request
	// looks the same must not adopt it.
	TagClaimed = "alidr:claimed"
	// TagRestoreStarted (RFC 3339, local clock of the provider) records when
	// a restore made its first call, so an apply run again after a crash
	// measures the RTO from the first run's start.
	TagRestoreStarted = "alidr:restore-started"
)
