# हर पेज और ईमेल में साझा: पेज का ढाँचा, भाषा बदलने का लिंक, और इस भाषा में
# तारीख़, समय, अवधि और संख्याएँ कैसे लिखी जाती हैं।

language-name = हिन्दी
digit-grouping = indian

skip-link = मुख्य सामग्री पर जाएँ
nav-main = मुख्य
nav-language = भाषा
nav-find-request = मेरा अनुरोध खोजें
footer-tagline = rightsdesk – अपने निजता अधिकारों का प्रयोग करने का स्थान।
footer-no-tracking = कोई ट्रैकिंग नहीं, कोई विज्ञापन नहीं, किसी तीसरे पक्ष की स्क्रिप्ट या फ़ॉन्ट नहीं।
footer-your-rights = आपके अधिकार
footer-make-request = अनुरोध करें

datetime = { $day } { $month } { $year }, { $hour }:{ $minute } { $zone }
date = { $weekday }, { $day } { $month } { $year }
zone-name = { $zone ->
    [IST] भारतीय मानक समय
   *[other] { $zone }
}
month = { $month ->
    [1] जनवरी
    [2] फ़रवरी
    [3] मार्च
    [4] अप्रैल
    [5] मई
    [6] जून
    [7] जुलाई
    [8] अगस्त
    [9] सितंबर
    [10] अक्टूबर
    [11] नवंबर
   *[12] दिसंबर
}
weekday = { $weekday ->
    [1] सोमवार
    [2] मंगलवार
    [3] बुधवार
    [4] गुरुवार
    [5] शुक्रवार
    [6] शनिवार
   *[7] रविवार
}
span = { $unit ->
    [hours] { $count ->
        [one] { $count } घंटा
       *[other] { $count } घंटे
    }
    [days] { $count } दिन
    [business-days] { $count } कार्य दिवस
   *[months] { $count ->
        [one] { $count } महीना
       *[other] { $count } महीने
    }
}
# परसर्ग से पहले का रूप (तिर्यक): "1 महीने के भीतर", "1 घंटे में"।
span-oblique = { $unit ->
    [hours] { $count } घंटे
    [days] { $count } दिन
    [business-days] { $count } कार्य दिवस
   *[months] { $count } महीने
}
size-bytes = { $count } बाइट
size-kb = { $size } KB
size-mb = { $size } MB
