package web

// QRDataURI is qrDataURI, for tests that check what a page's QR code says: the
// encoding is deterministic, so the same text gives the same image.
var QRDataURI = qrDataURI
