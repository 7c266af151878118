package evidence

// Requirement is one evidence requirement (Nachweisanforderung) of a service: a kind of
// document the citizen uploads, such as a rental contract or pay slips.
//
// The validate tags are checked by ozg's descriptor validation (Service.Validate), which
// registers the custom rules used here (slug, mediatype).
type Requirement struct {
	// ID identifies the requirement within its service; uploads name it. A URL-safe slug.
	ID string `json:"id" validate:"required,slug,max=64"`
	// Title in German, shown to the citizen, e.g. "Mietvertrag".
	Title string `json:"title" validate:"required,max=200"`
	// TitleEN is the optional English title.
	TitleEN string `json:"titleEn,omitempty" validate:"max=200"`
	// Description explains in German what the document must show.
	Description string `json:"description,omitempty" validate:"max=2000"`
	// Required: the application cannot be submitted without at least MinCount files (at least one).
	Required bool `json:"required"`
	// MinCount is the least number of files when Required; 0 means 1.
	MinCount int `json:"minCount,omitempty" validate:"gte=0,ltefield=MaxCount"`
	// MaxCount is the most files the citizen may upload for this requirement; at least 1.
	MaxCount int `json:"maxCount" validate:"gte=1,lte=100"`
	// MediaTypes lists the accepted media types as sniffed from the content, e.g.
	// "application/pdf", "image/jpeg".
	MediaTypes []string `json:"mediaTypes" validate:"required,min=1,max=20,dive,mediatype"`
	// MaxSize is the largest accepted file in bytes; at most 1 GiB.
	MaxSize int64 `json:"maxSize" validate:"gt=0,lte=1073741824"`
}

// MinFiles returns the least number of files the requirement needs before submission:
// 0 when optional, otherwise MinCount but at least 1.
func (r Requirement) MinFiles() int {
	if !r.Required {
		return 0
	}
	return max(r.MinCount, 1)
}

// Accepts reports whether mediaType is one of the requirement's accepted media types.
func (r Requirement) Accepts(mediaType string) bool {
	for _, m := range r.MediaTypes {
		if m == mediaType {
			return true
		}
	}
	return false
}
