# The rights, the regimes (which law's clock applies), statuses and deadlines.

kind-access = Access to my data
kind-access-description = Find out whether we hold personal data about you and get a copy of it.
kind-rectification = Correct my data
kind-rectification-description = Ask us to correct personal data about you that is wrong or incomplete.
kind-erasure = Erase my data
kind-erasure-description = Ask us to delete the personal data we hold about you.
kind-restriction = Restrict processing
kind-restriction-description = Ask us to stop using your personal data for now, while keeping it stored.
kind-portability = Data portability
kind-portability-description = Get your data in a machine-readable file that you can take to another service.
kind-objection = Object to processing
kind-objection-description = Object to how we use your personal data, for example for direct marketing.
kind-consent_withdrawal = Withdraw consent
kind-consent_withdrawal-description = Take back consent you gave us to use your personal data for a purpose.
kind-grievance = Complaint to the Grievance Officer
kind-grievance-description = Complain to our Grievance Officer about how we handled your data or a request.

regime-in = India
regime-in-law = DPDP Act 2023 and IT Rules 2021
regime-eu = European Union, EEA or UK
regime-eu-law = GDPR
regime-us-ca = California, USA
regime-us-ca-law = CCPA / CPRA
regime-other = Elsewhere
regime-other-law = Organisation policy
# The status page's "Where you live": the place and its law.
regime-with-law = { $regime } ({ $law })

# Spans given to the deadline and retention messages ($span, $respond, $extension,
# $period) are in the form used before a postposition (span-oblique).
deadline-acknowledge-within = within { $span }
deadline-acknowledge-on-verification = when you confirm your email
deadline-respond-india = { $respond } ({ $grievance } for a complaint to the Grievance Officer, { $removal } when it is about content to remove)
deadline-extension-once = once, by up to { $span }
deadline-extension-none = none
# How a request's due date was worked out, e.g. "GDPR: 1 month from receipt, ...".
# $business, $removal and $rolls are "yes" or "no"; $extension is empty when there is none.
deadline-rule = { $law }: { $respond } from receipt{ $business ->
        [yes] , not counting weekends or holidays
       *[no] {""}
    }{ $removal ->
        [yes] {" "}for a content-removal complaint
       *[no] {""}
    }{ $rolls ->
        [yes] , moved to the next business day when it falls on a weekend or holiday
       *[no] {""}
    }{ $extendable ->
        [yes] ; extendable once by { $extension }.
       *[no] ; it cannot be extended.
    }

status-unverified = Waiting for email confirmation
status-unverified-explanation = Nothing happens until you confirm the request with the link we sent you.
status-open = Received
status-open-explanation = We have your confirmed request. It is in the queue of the Grievance Officer.
status-in_progress = In progress
status-in_progress-explanation = An officer is working on your request.
status-awaiting_requester = Waiting for your answer
status-awaiting_requester-explanation = We asked you something. Please answer below so that we can go on.
status-fulfilled = Completed
status-fulfilled-explanation = We have completed your request.
status-rejected = Refused
status-rejected-explanation = We refused your request. The reason is in the timeline below.
status-withdrawn = Withdrawn
status-withdrawn-explanation = You withdrew this request. Nothing more will be done.

due-closed = This request is closed.
due-overdue = { $days ->
    [one] Overdue by { $days } day
   *[other] Overdue by { $days } days
}
due-within-hours = { $hours ->
    [one] Due within { $hours } hour
   *[other] Due within { $hours } hours
}
due-days-left = { $days ->
    [one] { $days } day left
   *[other] { $days } days left
}

timeline-submitted = Request received
timeline-verified = Email address confirmed; the request is in the queue
timeline-working = An officer is working on your request
timeline-asked = We asked you a question
timeline-replied = You sent a message
timeline-extended = The deadline was extended
timeline-rejected = Your request was refused
timeline-fulfilled = Your request was completed
timeline-withdrawn = You withdrew the request
timeline-merged = Merged into your earlier request of the same kind
timeline-downloaded = Your data package was downloaded

retention-registration = Registration data after you close your account or withdraw your registration
retention-removed-content = Content removed after a complaint (kept for investigation)
retention-erased-records = Records erased at your request (removed from use at once)
retention-unverified = Requests never confirmed by email
retention-closed-files = Closed request files
retention-package = Your data package (access and portability requests)
retention-held = Anything under a court's or agency's order (legal hold)
retention-deleted-after = { $period }, then deleted
retention-closed-files-period = personal details removed after { $period }; anonymous statistics stay
retention-package-period = deleted when its download link expires
retention-held-period = kept until the order ends
