# अधिकार, विधि-व्यवस्थाएँ (किस क़ानून की समय-सीमा लागू होती है), स्थितियाँ और समय-सीमाएँ।

kind-access = मेरे डेटा तक पहुँच
kind-access-description = जानें कि क्या हमारे पास आपका व्यक्तिगत डेटा है, और उसकी एक प्रति प्राप्त करें।
kind-rectification = मेरा डेटा सुधारें
kind-rectification-description = आपके बारे में जो व्यक्तिगत डेटा ग़लत या अधूरा है, उसे सुधारने का अनुरोध करें।
kind-erasure = मेरा डेटा मिटाएँ
kind-erasure-description = हमारे पास मौजूद आपके व्यक्तिगत डेटा को मिटाने का अनुरोध करें।
kind-restriction = प्रसंस्करण सीमित करें
kind-restriction-description = अनुरोध करें कि हम आपके व्यक्तिगत डेटा का उपयोग फ़िलहाल रोक दें, पर उसे संग्रहीत रखें।
kind-portability = डेटा पोर्टेबिलिटी
kind-portability-description = अपना डेटा मशीन से पढ़ी जा सकने वाली फ़ाइल में प्राप्त करें, जिसे आप किसी अन्य सेवा में ले जा सकें।
kind-objection = प्रसंस्करण पर आपत्ति
kind-objection-description = हम आपके व्यक्तिगत डेटा का जिस प्रकार उपयोग करते हैं, उस पर आपत्ति करें, जैसे प्रत्यक्ष विपणन के लिए।
kind-consent_withdrawal = सहमति वापस लें
kind-consent_withdrawal-description = किसी प्रयोजन के लिए अपने व्यक्तिगत डेटा के उपयोग हेतु दी गई सहमति वापस लें।
kind-grievance = शिकायत अधिकारी से शिकायत
kind-grievance-description = हमने आपके डेटा या आपके अनुरोध को जिस प्रकार सँभाला, उसके बारे में हमारे शिकायत अधिकारी से शिकायत करें।

regime-in = भारत
regime-in-law = डीपीडीपी अधिनियम 2023 और आईटी नियम 2021
regime-eu = यूरोपीय संघ, ईईए या यूनाइटेड किंगडम
regime-eu-law = जीडीपीआर
regime-us-ca = कैलिफ़ोर्निया, अमेरिका
regime-us-ca-law = सीसीपीए / सीपीआरए
regime-other = अन्यत्र
regime-other-law = संगठन की नीति
regime-with-law = { $regime } ({ $law })

# समय-सीमा और प्रतिधारण के संदेशों को मिलने वाली अवधियाँ ($span, $respond, $extension,
# $period) परसर्ग से पहले वाले रूप में होती हैं (span-oblique)।
deadline-acknowledge-within = { $span } के भीतर
deadline-acknowledge-on-verification = जब आप अपने ईमेल की पुष्टि करें
deadline-respond-india = { $respond } (शिकायत अधिकारी को की गई शिकायत के लिए { $grievance }, और हटाई जाने वाली सामग्री से जुड़ी शिकायत के लिए { $removal })
deadline-extension-once = एक बार, अधिकतम { $span } तक
deadline-extension-none = कोई नहीं
deadline-rule = { $law }: अनुरोध प्राप्त होने के { $respond } के भीतर{ $business ->
        [yes] , सप्ताहांत और अवकाश के दिनों को छोड़कर
       *[no] {""}
    }{ $removal ->
        [yes] {" "}(सामग्री हटाने से जुड़ी शिकायत के लिए)
       *[no] {""}
    }{ $rolls ->
        [yes] ; अंतिम तिथि सप्ताहांत या अवकाश पर पड़े, तो अगला कार्य दिवस
       *[no] {""}
    }{ $extendable ->
        [yes] ; इसे एक बार { $extension } तक बढ़ाया जा सकता है।
       *[no] ; इसे बढ़ाया नहीं जा सकता।
    }

status-unverified = ईमेल पुष्टि की प्रतीक्षा है
status-unverified-explanation = जब तक आप हमारे भेजे गए लिंक से अनुरोध की पुष्टि नहीं करते, तब तक कोई कार्रवाई नहीं होगी।
status-open = प्राप्त हुआ
status-open-explanation = आपका पुष्टि किया गया अनुरोध हमें मिल गया है। यह शिकायत अधिकारी की कतार में है।
status-in_progress = कार्रवाई जारी है
status-in_progress-explanation = एक अधिकारी आपके अनुरोध पर काम कर रहे हैं।
status-awaiting_requester = आपके उत्तर की प्रतीक्षा है
status-awaiting_requester-explanation = हमने आपसे कुछ पूछा है। कृपया नीचे उत्तर दें, ताकि हम आगे बढ़ सकें।
status-fulfilled = पूरा हुआ
status-fulfilled-explanation = हमने आपका अनुरोध पूरा कर दिया है।
status-rejected = अस्वीकृत
status-rejected-explanation = हमने आपका अनुरोध अस्वीकार कर दिया है। इसका कारण नीचे दिए गए घटनाक्रम में है।
status-withdrawn = वापस लिया गया
status-withdrawn-explanation = आपने यह अनुरोध वापस ले लिया है। इस पर आगे कोई कार्रवाई नहीं होगी।

due-closed = यह अनुरोध बंद हो चुका है।
due-overdue = समय-सीमा { $days } दिन पहले बीत चुकी है
due-within-hours = { $hours ->
    [one] { $hours } घंटे के भीतर देय
   *[other] { $hours } घंटों के भीतर देय
}
due-days-left = { $days } दिन शेष

timeline-submitted = अनुरोध प्राप्त हुआ
timeline-verified = ईमेल पते की पुष्टि हुई; अनुरोध कतार में है
timeline-working = एक अधिकारी आपके अनुरोध पर काम कर रहे हैं
timeline-asked = हमने आपसे एक प्रश्न पूछा
timeline-replied = आपने एक संदेश भेजा
timeline-extended = समय-सीमा बढ़ाई गई
timeline-rejected = आपका अनुरोध अस्वीकार किया गया
timeline-fulfilled = आपका अनुरोध पूरा किया गया
timeline-withdrawn = आपने अनुरोध वापस लिया
timeline-merged = इसी प्रकार के आपके पहले के अनुरोध में जोड़ा गया
timeline-downloaded = आपका डेटा पैकेज डाउनलोड किया गया

retention-registration = आपका खाता बंद करने या पंजीकरण वापस लेने के बाद पंजीकरण का डेटा
retention-removed-content = शिकायत के बाद हटाई गई सामग्री (जाँच के लिए रखी जाती है)
retention-erased-records = आपके अनुरोध पर मिटाए गए रिकॉर्ड (तुरंत उपयोग से हटा दिए जाते हैं)
retention-unverified = ऐसे अनुरोध जिनकी ईमेल से कभी पुष्टि नहीं हुई
retention-closed-files = बंद अनुरोधों की फ़ाइलें
retention-package = आपका डेटा पैकेज (पहुँच और पोर्टेबिलिटी के अनुरोध)
retention-held = न्यायालय या किसी प्राधिकरण के आदेश के अधीन कोई भी डेटा (विधिक रोक)
retention-deleted-after = { $period } तक, फिर मिटा दिया जाता है
retention-closed-files-period = { $period } के बाद व्यक्तिगत विवरण हटा दिए जाते हैं; केवल अनाम आँकड़े रहते हैं
retention-package-period = डाउनलोड लिंक की अवधि समाप्त होते ही मिटा दिया जाता है
retention-held-period = आदेश समाप्त होने तक रखा जाता है
