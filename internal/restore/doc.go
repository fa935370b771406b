// Package restore holds the rules of restoring an ECS instance from a
// recovery point, free of Terraform and SDK types: which disk sizes and
// categories the API accepts, what the usual restore baseline advises
// against, how a measured restore compares with its RTO target, and the
// idempotency tokens that keep an interrupted apply from creating a second
// instance.
package restore
