package kiosk

// The camera frames the decoder's tests make, for the kiosk's HTTP tests
// too: one maker of noise and of a card held up to the camera.
var (
	NoiseFrame = testNoise
	CardFrame  = testCard
)
