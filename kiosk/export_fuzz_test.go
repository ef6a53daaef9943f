package kiosk

// MaxFrameSide is the largest picture side the camera decoder takes, for
// the fuzz test that holds it to refusing larger ones before decoding.
const MaxFrameSide = maxFrameSide
