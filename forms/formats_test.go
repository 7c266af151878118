package forms

import "testing"

func TestFormats(t *testing.T) {
	tests := []struct {
		name  string
		check func(string) bool
		in    string
		ok    bool
	}{
		{"a German IBAN in groups is valid", ValidIBAN, "DE02 1203 0000 0000 2020 51", true},
		{"a German IBAN without spaces is valid", ValidIBAN, "DE89370400440532013000", true},
		{"an Austrian IBAN is valid", ValidIBAN, "AT611904300234573201", true},
		{"a British IBAN is valid", ValidIBAN, "GB29NWBK60161331926819", true},
		{"an IBAN with a wrong check sum is invalid", ValidIBAN, "DE89370400440532013001", false},
		{"an IBAN with swapped digits is invalid", ValidIBAN, "DE89370400440532031000", false},
		{"a German IBAN of the wrong length is invalid", ValidIBAN, "DE8937040044053201300", false},
		{"an IBAN of an unknown country is invalid", ValidIBAN, "XX89370400440532013000", false},
		{"a lower-case IBAN is invalid", ValidIBAN, "de89370400440532013000", false},
		{"an IBAN with punctuation is invalid", ValidIBAN, "DE89-3704-0044-0532-0130-00", false},
		{"an empty IBAN is invalid", ValidIBAN, "", false},
		{"a very long IBAN is invalid", ValidIBAN, "DE89370400440532013000DE89370400440532013000DE89370400440532013000", false},

		{"a Steuer-ID with one digit twice is valid", ValidSteuerID, "86095742719", true},
		{"another valid Steuer-ID", ValidSteuerID, "47036892816", true},
		{"a Steuer-ID with one digit three times apart is valid", ValidSteuerID, "25768131411", true},
		{"a Steuer-ID with a wrong check digit is invalid", ValidSteuerID, "86095742718", false},
		{"a Steuer-ID starting with 0 is invalid", ValidSteuerID, "02476291358", false},
		{"a Steuer-ID with ten digits is invalid", ValidSteuerID, "8609574271", false},
		{"a Steuer-ID with all digits different is invalid", ValidSteuerID, "12345678903", false},
		{"a Steuer-ID with two repeated digits is invalid", ValidSteuerID, "11223456789", false},
		{"a Steuer-ID with a digit three times in a row is invalid", ValidSteuerID, "11145678902", false},
		{"a Steuer-ID with a letter is invalid", ValidSteuerID, "8609574271X", false},

		{"a postcode of Köln is valid", ValidPLZ, "51147", true},
		{"a postcode of Dresden with leading 0 is valid", ValidPLZ, "01067", true},
		{"postcode 00000 is invalid", ValidPLZ, "00000", false},
		{"a four digit postcode is invalid", ValidPLZ, "1067", false},
		{"a postcode with a space is invalid", ValidPLZ, "51 147", false},

		{"the ARS of Köln is valid", ValidARS, "053150000000", true},
		{"the ARS of Berlin is valid", ValidARS, "110000000000", true},
		{"an ARS of Land 00 is invalid", ValidARS, "003150000000", false},
		{"an ARS of Land 17 is invalid", ValidARS, "173150000000", false},
		{"a shortened ARS is invalid", ValidARS, "05315", false},

		{"the Leistungsschlüssel of Wohngeld is valid", ValidLeika, "99107023037000", true},
		{"a Leistungsschlüssel without 99 is invalid", ValidLeika, "98107023037000", false},
		{"a Leistungsschlüssel of 13 digits is invalid", ValidLeika, "9910702303700", false},

		{"a Berlin landline is valid", ValidPhone, "030 1234567", true},
		{"a mobile number with slash is valid", ValidPhone, "0171/1234567", true},
		{"an international number is valid", ValidPhone, "+49 30 1234567", true},
		{"an international number with (0) is valid", ValidPhone, "+49 (0)30 1234567", true},
		{"a number with 0049 is valid", ValidPhone, "0049 30 1234567", true},
		{"a number with an area code in parentheses is valid", ValidPhone, "(030) 123 45 67", true},
		{"a number with letters is invalid", ValidPhone, "030 CALLME", false},
		{"a too short number is invalid", ValidPhone, "030 12", false},
		{"a number with 16 digits is invalid", ValidPhone, "+49 301234567890123", false},
		{"a number without leading 0 is invalid", ValidPhone, "30 1234567", false},
		{"a number with two plus signs is invalid", ValidPhone, "++49 30 1234567", false},
		{"a number with an open parenthesis is invalid", ValidPhone, "(030 1234567", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.check(tt.in); got != tt.ok {
				t.Errorf("check(%q) = %v, want %v", tt.in, got, tt.ok)
			}
		})
	}
}

func TestFormatsPassNonStrings(t *testing.T) {
	for name, check := range formats {
		if !stringFormat(check)(42) {
			t.Errorf("format %s refuses a number; formats apply to strings only", name)
		}
	}
}
