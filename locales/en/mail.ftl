# Mail to requesters, as plain text. Keep every line under 76 characters; a link
# stands alone on its line. The signature is added by the program.

mail-verification-subject = Confirm your request { $reference }
mail-verification-body =
    Hello,

    We received a privacy request with the reference { $reference }.
    To confirm that you made it, open this link and press
    "Confirm my request":

    { $link }

    { $days ->
        [one] The link expires in { $days } day. Nothing happens until the request is
       *[other] The link expires in { $days } days. Nothing happens until the request is
    }
    confirmed.

    If you did not make this request, ignore this email. The request
    will be deleted automatically.

mail-confirmation-subject = Your request { $reference } is confirmed
mail-confirmation-body =
    Hello,

    Thank you for confirming your request { $reference }.

    We will respond by { $due }.

    You can follow the request, read our messages and reply on this page:

    { $link }

    Keep this link private: anyone who has it can see your request.

mail-confirmation-linked =
    You already have a request of the same kind open with us,
    { $reference }. We have linked this request to it, so that both are
    answered together; you need not do anything.

mail-recorded-subject = We have recorded your request { $reference }
mail-recorded-body =
    Hello,

    We have recorded your request { $reference }, which reached us
    { $channel } on { $received }.

    We will respond by { $due }.

    You can follow the request, read our messages and reply on this page:

    { $link }

    Keep this link private: anyone who has it can see your request.
# How a recorded request reached us, after "which reached us".
mail-recorded-channel = { $channel ->
    [post] by post
    [phone] by phone
    [in_person] in person
    [email] by email
   *[agent] through your agent
}

mail-status-subject = News about your request { $reference }
mail-status-extended = { $status } (the deadline was extended)
mail-status-merged = Merged into your request { $reference }, which answers both
mail-status-body =
    Hello,

    There is news about your request { $reference }.

    New status: { $status }

    To see the details, open:

    { $link }

mail-tasks-left-body =
    Hello,

    We have completed your request { $reference } as far as we can for now.
    These of our systems have not yet confirmed that they have acted on it:
    { $sources }

    We will follow this up with them. To see the details, open:

    { $link }

mail-lookup-subject = A new link to your request { $reference }
mail-lookup-body =
    Hello,

    You asked for a new link to your request { $reference }.

    { $link }

    Keep this link private: anyone who has it can see your request.
    If you did not ask for it, you can ignore this email.

mail-erasure-subject = Notice: we will erase personal data we hold about you
mail-erasure-body =
    Hello,

    We keep personal data only as long as we need it. As India's Digital
    Personal Data Protection Rules, 2025 (rule 8) ask, we are telling you
    at least 48 hours before we erase some of the data we hold about you.

    On or after { $from }, we will erase:

    { $items }

    If you have a question or a complaint about this, contact our
    Grievance Officer:

    { $link }

# One line of the erasure notice's list: what, and how many items.
mail-erasure-item = - { $what } ({ $count ->
        [one] { $count } item
       *[other] { $count } items
    })
# The kinds of data a notice names, by retention class.
mail-erasure-class = { $class ->
    [registration] registration data from a cancelled account
    [removed_content] content that was removed and kept for a while
    [erased_records] data you asked us to erase, kept for a while
    [unverified_requests] a request that was never confirmed
    [closed_case_files] a closed request's case file
    [data_packages] a data package
    [link_tokens] links
    [sessions] sessions
   *[sent_mail] sent mail
}
