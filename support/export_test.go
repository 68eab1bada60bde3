package support

// WithSearchSizes makes a text search rank window cases per tier and probe the newest probe
// cases (the words one by one on the newest probeWords): small sizes let a test reach with a few
// hundred cases the parts of the search a big database reaches with hundreds of thousands.
func WithSearchSizes(window, probe, probeWords int) Option {
	return func(c *Cases) { c.sizes = searchSizes{window: window, probe: probe, probeWords: probeWords} }
}
