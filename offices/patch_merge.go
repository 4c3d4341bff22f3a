package offices

// PatchReplaces reports whether a department or call center PATCH that
// sends the top-level object field replaces it whole, rather than merging
// it field by field into the live object. From the reference: every field
// of the update messages is optional and nullable, so a PATCH sends a
// part of hold_queue, advanced_settings, alerts or voice_intelligence and
// the fields it leaves out keep their live values (null too leaves a
// field as it is); routing_options requires open and closed, each with
// action and try_dial_operators, so a PATCH sends all of it: it replaces
// the live routing, and a field left out of it is gone. Lists are always
// sent whole. (The simulator's PATCH follows the same rule.)
func PatchReplaces(field string) bool {
	return field == "routing_options"
}
