# The public pages. Messages ending in "-html" hold markup and are shown as they are:
# keep their tags and attributes exactly.

home-title = Your privacy rights
home-lead = You can ask us what personal data we hold about you, have it corrected or deleted, or complain about how we handle it. Making a request takes about a minute.
home-rights-heading = What you can ask for
home-start = Start
home-how-heading = How it works
home-step-choose = Choose what you want to ask for and fill in a short form.
home-step-confirm = We email you a link. Open it and confirm the request within 7 days – until then, nothing happens.
home-step-answer = We acknowledge the request and answer it within the time the law allows (see below).
home-step-follow = The link in our emails shows your request's status, our messages and your answers.
home-deadlines-heading = How long things take
home-deadlines-intro = The deadlines depend on where you live. Every deadline counts from the day we receive your request.
home-deadlines-caption = Deadlines by where you live
home-col-where = Where you live
home-col-acknowledge = We acknowledge
home-col-respond = We respond
home-col-extension = Possible extension
home-deadlines-hint = If we need more time, we tell you before the deadline passes and explain why.
home-retention-heading = How long we keep data
home-retention-intro = We keep personal data only as long as we need it or the law requires it. When the time is up, it is deleted automatically – unless a court or authority has ordered us to keep it.
home-retention-caption = Retention periods
home-col-what = What
home-col-how-long = How long we keep it
home-lost-heading = Lost the link to your request?
home-lost-text-html = Enter your email address and the request's reference (it looks like <span class="reference reference--inline">RD-7K3M-9QXA</span> and is in our emails), and we will send a new link to that address.

form-title = Make a request
form-error-title = Error: { $title }
form-other-kind = Choose a different kind of request
form-intro = We use what you enter here only to handle this request. Fields are required unless marked optional.
form-full-name = Full name
form-email = Email address
form-email-hint = We send a link to this address to confirm that it is yours, and our answer. Use the address we know you by.
form-region = Where do you live?
form-region-hint = This decides which law's deadlines apply to your request.
form-account-ref = Customer or account number (optional)
form-account-ref-hint = If you have one, it helps us find your data faster.
form-correction = What should the correct information be?
form-correction-hint = Tell us which information is wrong or incomplete, and what it should say instead.
form-purposes = Which uses of your data do you no longer agree to?
form-purposes-hint = Select all that apply.
form-content-removal = Content removal
form-content-removal-hint = Complaints about content that should be taken down are handled with priority.
form-content-removal-choice = My complaint is about content that should be removed
form-details = Details of your request
form-details-optional = Details of your request (optional)
form-complaint = Your complaint
form-complaint-optional = Your complaint (optional)
form-details-hint = Anything that helps us find your data or understand what you want. Please do not send passwords or copies of ID documents.
form-after-send = After you send the request, we email you a link to confirm it.
form-send = Send request
form-choose-title = What would you like to ask for?
form-choose-lead = Choose one. You can make another request afterwards.
error-label = Error:
error-summary-title = There is a problem

submitted-title = Check your mail
submitted-lead = We have sent you an email with a link to confirm your request.
submitted-nothing-until = Nothing happens until you confirm it.
submitted-open-link = Open the link in the email and press “Confirm my request”. The link expires in 7 days; after that, the request is deleted and you would need to make it again.
submitted-no-email = No email?
submitted-minutes = It can take a few minutes to arrive.
submitted-spam = Check your spam or junk folder.
submitted-wrong-address-html = Check that you entered the right address – if not, simply <a href="/requests/new">make the request again</a>.
submitted-back = Back to your privacy rights

verify-title = Confirm your request
verify-reference = Reference
verify-request = Request
verify-explain = Opening the link from the email does not change anything on its own – some mail programs open links automatically. To confirm that you made this request and that the email address is yours, press the button.
verify-button = Confirm my request
verify-not-you = If you did not make this request, do nothing: unconfirmed requests are deleted after 7 days.

lookup-title = Find my request
lookup-error-title = Error: Find my request
lookup-sent = If the email address and reference match a request, we have sent a new link to that address.
lookup-lead = Lost the link to your request? Enter the email address you used and the request's reference. We will email a new link to that address.
lookup-email = Email address
lookup-reference = Reference
lookup-reference-hint = It is in our emails and looks like RD-7K3M-9QXA.
lookup-send = Send me a new link
lookup-forgot-html = Forgot the reference too? It is in the emails we sent you. If you cannot find them, you can <a href="/requests/new">make a new request</a>.

status-title = Request { $reference }
status-heading-html = Your request <span class="reference reference--title">{ $reference }</span>
status-linked-html = You already have a request of the same kind open with us, <span class="reference">{ $reference }</span>. We have linked this request to it, so that both are answered together.
status-request = Request
status-where = Where you live
status-received = Received
status-need-title = We need something from you
status-need-text = We have asked you a question. Read our latest message below.
status-need-text-reply-html = We have asked you a question. Read our latest message below and <a href="#message">answer it</a>.
status-heading = Status: { $status }
status-when = When we will answer
status-due = Due by { $due }
status-extended = The deadline has been extended.
status-extended-note = The date above is the new one.
status-how = How we worked this out: { $rule }
status-outcome = What we did
status-data = Your data
status-package-ready = Your data package ({ $size }, a zip file with one JSON document and one spreadsheet file per category of data) is ready.
status-package-download = Download your data
status-package-until = { $left ->
    [one] Available until { $until }; { $left } download left. Keep the file somewhere safe: it holds personal data.
   *[other] Available until { $until }; { $left } downloads left. Keep the file somewhere safe: it holds personal data.
}
status-package-gone-html = Your data package is no longer available: the link expired on { $until } or it was downloaded the maximum number of times. If you need another copy, make a new <a href="/requests/new?kind=access">access request</a>.
status-timeline = What has happened
status-nothing-yet = Nothing yet.
status-you = You
status-reply-heading = Reply to us
status-reply-label = Your message
status-reply-hint = Please do not send passwords or copies of ID documents.
status-reply-send = Send reply
status-withdraw-heading = Withdraw this request
status-withdraw-text = If you no longer want us to act on this request, you can withdraw it. This cannot be undone, but you can make a new request at any time.
status-withdraw-button = Withdraw this request
status-about = About this page
status-about-text-html = Keep the link to this page private: anyone who has it can see your request. If you lose it, you can <a href="/status/lookup">ask for a new link</a> with your email address and the reference.
status-notice-confirmed = Thank you: your request is confirmed. Keep this page's address private; it is also in the email we just sent you.
status-notice-replied = Your message was sent.
status-notice-withdrawn = Your request is withdrawn.
