// Package drpolicy holds the framework-free rules behind alidr_snapshot_policy
// and alidr_recovery_points: snapshot schedules and their effective RPO,
// peak-hour avoid windows, "7+3+1" retention tiers, and recovery point
// selection. The provider layer only translates HCL to these calls, so every
// error here is written for a Terraform user: it names the offending value and
// says what to change.
package drpolicy
