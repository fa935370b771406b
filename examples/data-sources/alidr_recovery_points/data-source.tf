# The newest verified snapshot of the database disk taken before the incident
# (verified: a signed attestation by a key in the provider's
# attestation.public_keys vouches for it).
data "alidr_recovery_points" "before_incident" {
  disk_id       = "d-2zecoredbdata0000000"
  before        = "2026-11-20T08:00:00Z"
  only_verified = true
}

# Every point of an instance's disks from the last three days, including the
# copies in cn-shanghai; an empty result is fine here.
data "alidr_recovery_points" "recent" {
  instance_id   = "i-2zecoredb00000000000"
  regions       = ["cn-beijing", "cn-shanghai"]
  max_age       = "72h"
  require_match = false
}

output "restore_from" {
  value = data.alidr_recovery_points.before_incident.newest.id
}
