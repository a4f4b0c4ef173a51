# Shared by every page and mail: the page frame, the language switch, and how dates,
# times, spans and numbers look in this language.

# This language's name in itself: the text of the link that switches to it.
language-name = English
# How large numbers group their digits: "thousands" (1,234,567) or "indian" (12,34,567).
digit-grouping = thousands

skip-link = Skip to main content
nav-main = Main
nav-language = Language
nav-find-request = Find my request
footer-tagline = rightsdesk – a place to exercise your privacy rights.
footer-no-tracking = No tracking, no advertising, no third-party scripts or fonts.
footer-your-rights = Your rights
footer-make-request = Make a request

# A moment on the organisation's clock: "9 March 2026, 14:05 UTC".
datetime = { $day } { $month } { $year }, { $hour }:{ $minute } { $zone }
# A day: "Wednesday, 30 September 2026".
date = { $weekday }, { $day } { $month } { $year }
# The zone's name, from its abbreviation ("IST", "UTC", "CET").
zone-name = { $zone }
month = { $month ->
    [1] January
    [2] February
    [3] March
    [4] April
    [5] May
    [6] June
    [7] July
    [8] August
    [9] September
    [10] October
    [11] November
   *[12] December
}
weekday = { $weekday ->
    [1] Monday
    [2] Tuesday
    [3] Wednesday
    [4] Thursday
    [5] Friday
    [6] Saturday
   *[7] Sunday
}
span = { $unit ->
    [hours] { $count ->
        [one] { $count } hour
       *[other] { $count } hours
    }
    [days] { $count ->
        [one] { $count } day
       *[other] { $count } days
    }
    [business-days] { $count ->
        [one] { $count } business day
       *[other] { $count } business days
    }
   *[months] { $count ->
        [one] { $count } month
       *[other] { $count } months
    }
}
# The same span in the form a language uses before a postposition (Hindi's oblique case:
# "1 महीने के भीतर"); English has one form.
span-oblique = { $unit ->
    [hours] { $count ->
        [one] { $count } hour
       *[other] { $count } hours
    }
    [days] { $count ->
        [one] { $count } day
       *[other] { $count } days
    }
    [business-days] { $count ->
        [one] { $count } business day
       *[other] { $count } business days
    }
   *[months] { $count ->
        [one] { $count } month
       *[other] { $count } months
    }
}
size-bytes = { $count ->
    [one] { $count } byte
   *[other] { $count } bytes
}
size-kb = { $size } KB
size-mb = { $size } MB
