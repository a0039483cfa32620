package web

// SetTemplateFolding turns the folding of constant template actions on or off
// for servers made after it, and returns a function that restores the setting.
func SetTemplateFolding(on bool) (restore func()) {
	was := foldTemplates
	foldTemplates = on
	return func() { foldTemplates = was }
}
