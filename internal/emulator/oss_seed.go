package emulator

// SeedBucket is an empty bucket of the default account in cn-beijing, part
// of the seeded world, so image exports and reports have somewhere to go.
const SeedBucket = "alidr-dr-images"

func (o *ossService) seed() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seedLocked()
}

func (o *ossService) seedLocked() {
	o.buckets[SeedBucket] = &ossBucket{name: SeedBucket, owner: DefaultAccountID, location: DefaultOSSLocation,
		storageClass: "Standard", created: seedEpoch, objects: map[string]*ossObject{}}
}
