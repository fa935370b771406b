data "alidr_regions" "all" {}

# Every region except the primary one is a disaster recovery candidate.
output "dr_candidates" {
  value = [for r in data.alidr_regions.all.ids : r if r != "cn-beijing"]
}
