<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="he_IL">
    <context>
        <name>CartModel</name>
        <message>
            <location filename="../../ui/cart_model.py" line="115" />
            <source>{0} free</source>
            <translation>{0} חינם</translation>
        </message>
        <message>
            <source>Item</source>
            <translation>פריט</translation>
        </message>
        <message>
            <source>Qty</source>
            <translation>כמות</translation>
        </message>
        <message>
            <source>Price</source>
            <translation>מחיר</translation>
        </message>
        <message>
            <source>Discount</source>
            <translation>הנחה</translation>
        </message>
        <message>
            <source>Total</source>
            <translation>סה"כ</translation>
        </message>
    </context>
    <context>
        <name>CheckoutScreen</name>
        <message>
            <source>No offer with a coupon for this member</source>
            <translation>אין הצעה עם קופון לחבר/ה זה/ו</translation>
        </message>
        <message>
            <source>The member holds no coupon</source>
            <translation>לחבר/ת המועדון אין קופון</translation>
        </message>
        <message>
            <source>The member holds no voucher</source>
            <translation>לחבר/ת המועדון אין שובר</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="123" />
            <source>Search products by name, SKU or barcode (F2)</source>
            <translation>חיפוש מוצר לפי שם, מק"ט או ברקוד (F2)</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="124" />
            <source>Add</source>
            <translation>הוסף</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="124" />
            <source>Qty + (F5)</source>
            <translation>כמות + (F5)</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="125" />
            <source>Qty − (F6)</source>
            <translation>כמות − (F6)</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="125" />
            <source>Remove line (F7)</source>
            <translation>הסרת שורה (F7)</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="126" />
            <source>Void sale (Ctrl+Del)</source>
            <translation>ביטול מכירה (Ctrl+Del)</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="126" />
            <source>Park (F8)</source>
            <translation>השהיה (F8)</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="127" />
            <source>Resume (Shift+F8)</source>
            <translation>המשך מכירה (Shift+F8)</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="128" />
            <source>Complete sale (F12)</source>
            <translation>סיום מכירה (F12)</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="183" />
            <source>No product matches '{0}'</source>
            <translation>אין מוצר התואם '{0}'</translation>
        </message>
        <message>
            <location filename="../../ui/checkout_screen.py" line="193" />
            <source>{0} products match: pick one from the list</source>
            <translation>{0} מוצרים תואמים: בחרו מהרשימה</translation>
        </message>
        <message>
            <source>Identify a member with points first</source>
            <translation>זהו קודם חבר מועדון עם נקודות</translation>
        </message>
        <message>
            <source>Ctrl+M is for a member identified without their card</source>
            <translation>Ctrl+M מיועד לחבר מועדון שזוהה בלי הכרטיס שלו</translation>
        </message>
    </context>
    <context>
        <name>ClockBanner</name>
        <message>
            <location filename="../../ui/clock_banner.py" line="1" />
            <source>Manager: confirm the clock</source>
            <translation>מנהל: אישור השעון</translation>
        </message>
        <message>
            <location filename="../../ui/clock_banner.py" line="1" />
            <source>Confirm the clock</source>
            <translation>אישור השעון</translation>
        </message>
        <message>
            <location filename="../../ui/clock_banner.py" line="1" />
            <source>Check the date and time of this computer first. Confirming tells Kupa the clock is right as it is now; it is written to the audit log. Manager PIN:</source>
            <translation>בדקו קודם את התאריך והשעה של המחשב. האישור מודיע לקופה שהשעון נכון כפי שהוא עכשיו; הוא נרשם ביומן הביקורת. קוד מנהל:</translation>
        </message>
        <message>
            <location filename="../../ui/clock_banner.py" line="1" />
            <source>Confirm</source>
            <translation>אישור</translation>
        </message>
    </context>
    <context>
        <name>EnrolDialog</name>
        <message>
            <location filename="../../ui/dialogs.py" line="32" />
            <source>Enrol a member</source>
            <translation>צירוף חבר מועדון</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="39" />
            <source>not given</source>
            <translation>לא צוין</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="46" />
            <source>Print card (Ctrl+P)</source>
            <translation>הדפסת כרטיס (Ctrl+P)</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="51" />
            <source>Enrol</source>
            <translation>הצטרפות</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="55" />
            <source>Name</source>
            <translation>שם</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="56" />
            <source>Phone</source>
            <translation>טלפון</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="57" />
            <source>Birthday</source>
            <translation>יום הולדת</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="88" />
            <source>Done</source>
            <translation>סיום</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="91" />
            <source>{0} enrolled as {1}: {2} welcome points. Hand over the card.</source>
            <translation>{0} הצטרף/ה כ-{1}: {2} נקודות הצטרפות. מסרו את הכרטיס.</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="93" />
            <source>Issued</source>
            <translation>הונפק</translation>
        </message>
        <message>
            <source>&amp;Birthday</source>
            <translation>&amp;יום הולדת</translation>
        </message>
        <message>
            <source>&amp;Name</source>
            <translation>&amp;שם</translation>
        </message>
        <message>
            <source>&amp;Phone</source>
            <translation>&amp;טלפון</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>ביטול</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <location filename="../../ui/main_window.py" line="1" />
            <source>A gift card pays in the payment dialog: press F12, then scan it</source>
            <translation>כרטיס מתנה משלם בחלון התשלום: הקישו F12 ואז סרקו אותו</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="89" />
            <source>Something went wrong; the sale is unchanged. Details are in the log.</source>
            <translation>משהו השתבש; המכירה לא השתנתה. הפרטים ביומן.</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="105" />
            <source>Kupa — {0}</source>
            <translation>קופה — {0}</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="106" />
            <source>עברית / English (Ctrl+Shift+L)</source>
            <translation>English / עברית (Ctrl+Shift+L)</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="108" />
            <source>Lock (Ctrl+L)</source>
            <translation>נעילה (Ctrl+L)</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="110" />
            <source>Sign out</source>
            <translation>יציאה</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="111" />
            <source>Local only</source>
            <translation>מקומי בלבד</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="113" />
            <source>Cashier: {0}</source>
            <translation>קופאי: {0}</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="113" />
            <source>Signed out</source>
            <translation>לא מחובר</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="122" />
            <source>{0} entries waiting for HQ</source>
            <translation>{0} רשומות ממתינות למטה</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="189" />
            <source>Park sale</source>
            <translation>השהיית מכירה</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="189" />
            <source>Label (e.g. the customer's name)</source>
            <translation>תווית (למשל שם הלקוח)</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="192" />
            <source>Parked sale</source>
            <translation>מכירה מושהית</translation>
        </message>
        <message>
            <location filename="../../ui/main_window.py" line="197" />
            <source>No parked sales</source>
            <translation>אין מכירות ממתינות</translation>
        </message>
        <message>
            <source>Manager (Ctrl+Shift+M)</source>
            <translation>מנהל (Ctrl+Shift+M)</translation>
        </message>
        <message>
            <source>Manager: {0}</source>
            <translation>מנהל/ת: {0}</translation>
        </message>
        <message>
            <source>My PIN</source>
            <translation>הקוד שלי</translation>
        </message>
        <message>
            <source>Your PIN was changed</source>
            <translation>הקוד שלך שונה</translation>
        </message>
        <message>
            <source>{0} · {1}</source>
            <translation>{0} · {1}</translation>
        </message>
    </context>
    <context>
        <name>MemberPanel</name>
        <message>
            <location filename="../../ui/member_panel.py" line="95" />
            <source>Member</source>
            <translation>חבר מועדון</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="96" />
            <source>Card, phone or member id</source>
            <translation>כרטיס, טלפון או מספר חבר</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="97" />
            <source>Find (F3)</source>
            <translation>חיפוש (F3)</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="98" />
            <source>Remove member</source>
            <translation>הסרת חבר</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="99" />
            <source>Enrol (F4)</source>
            <translation>הצטרפות (F4)</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="113" />
            <source>No member on this sale</source>
            <translation>אין חבר מועדון במכירה</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="126" />
            <source>{0} points</source>
            <translation>{0} נקודות</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="136" />
            <source>{0} until {1}</source>
            <translation>{0} עד {1}</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="139" />
            <source>★ Birthday month</source>
            <translation>★ חודש יום הולדת</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="142" />
            <source>{0} more to {1}</source>
            <translation>עוד {0} ל{1}</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="145" />
            <source>Top tier</source>
            <translation>הדרגה הגבוהה ביותר</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="147" />
            <source>Card scanned: points can be spent</source>
            <translation>הכרטיס נסרק: אפשר לממש נקודות</translation>
        </message>
        <message>
            <location filename="../../ui/member_panel.py" line="149" />
            <source>Found without the card: scan the card to spend points</source>
            <translation>זוהה ללא כרטיס: סרקו את הכרטיס כדי לממש נקודות</translation>
        </message>
        <message>
            <source>Spending allowed by {0}</source>
            <translation>המימוש אושר על ידי {0}</translation>
        </message>
    </context>
    <context>
        <name>ParkedDialog</name>
        <message>
            <location filename="../../ui/dialogs.py" line="123" />
            <source>Parked sales</source>
            <translation>מכירות מושהות</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="127" />
            <source>no member</source>
            <translation>ללא חבר</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="128" />
            <source>{0} — {1} items, {2} ({3})</source>
            <translation>{0} — {1} פריטים, {2} ({3})</translation>
        </message>
        <message>
            <location filename="../../ui/dialogs.py" line="134" />
            <source>Resume</source>
            <translation>המשך</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>ביטול</translation>
        </message>
    </context>
    <context>
        <name>ReceiptDialog</name>
        <message>
            <location filename="../../ui/receipt.py" line="96" />
            <source>Receipt</source>
            <translation>קבלה</translation>
        </message>
        <message>
            <location filename="../../ui/receipt.py" line="100" />
            <source>Print (Ctrl+P)</source>
            <translation>הדפסה (Ctrl+P)</translation>
        </message>
        <message>
            <location filename="../../ui/receipt.py" line="102" />
            <source>Save as PDF (Ctrl+S)</source>
            <translation>שמירה כ-PDF (Ctrl+S)</translation>
        </message>
        <message>
            <location filename="../../ui/receipt.py" line="104" />
            <source>New sale (Enter)</source>
            <translation>מכירה חדשה (Enter)</translation>
        </message>
        <message>
            <source>Reprint (Ctrl+R)</source>
            <translation>הדפסה חוזרת (Ctrl+R)</translation>
        </message>
        <message>
            <location filename="../../ui/receipt.py" line="125" />
            <source>Save receipt</source>
            <translation>שמירת קבלה</translation>
        </message>
    </context>
    <context>
        <name>ReceiptFlow</name>
        <message>
            <source>Printing the receipt…</source>
            <translation>מדפיס את הקבלה…</translation>
        </message>
        <message>
            <source>Receipt saved as {0}</source>
            <translation>הקבלה נשמרה בשם {0}</translation>
        </message>
        <message>
            <source>Not printed: {0} The sale is recorded; reprint with Ctrl+R.</source>
            <translation>לא הודפס: {0} המכירה נרשמה; להדפסה חוזרת Ctrl+R.</translation>
        </message>
        <message>
            <source>Not printed: an unexpected error (details are in the log). The sale is recorded.</source>
            <translation>לא הודפס: שגיאה לא צפויה (הפרטים ביומן). המכירה נרשמה.</translation>
        </message>
        <message>
            <source>Copy printed.</source>
            <translation>ההעתק הודפס.</translation>
        </message>
        <message>
            <source>Receipt printed.</source>
            <translation>הקבלה הודפסה.</translation>
        </message>
    </context>
    <context>
        <name>RewardsPanel</name>
        <message>
            <location filename="../../ui/rewards_panel.py" line="85" />
            <source>Rewards and totals</source>
            <translation>הטבות וסיכום</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="86" />
            <source>&amp;Redeem points (Alt+R)</source>
            <translation>&amp;מימוש נקודות (Alt+R)</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="87" />
            <source>Subtotal</source>
            <translation>סכום ביניים</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="87" />
            <source>Discounts</source>
            <translation>הנחות</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="87" />
            <source>Points redeemed</source>
            <translation>נקודות שמומשו</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="88" />
            <source>Points earned</source>
            <translation>נקודות שנצברו</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="88" />
            <source>Balance after</source>
            <translation>יתרה אחרי</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="89" />
            <source>To pay</source>
            <translation>לתשלום</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="106" />
            <source>{0} (−{1})</source>
            <translation>{0} (‎−{1})</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="117" />
            <source>No redemption</source>
            <translation>ללא מימוש</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="122" />
            <source>Nothing to redeem: {0}</source>
            <translation>אין מה לממש: {0}</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="128" />
            <source>{0} points</source>
            <translation>{0} נקודות</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="129" />
            <source>Up to {0} points ({1})</source>
            <translation>עד {0} נקודות ({1})</translation>
        </message>
        <message>
            <location filename="../../ui/rewards_panel.py" line="151" />
            <source>Free item from the {0} (Alt+F)</source>
            <translation>פריט חינם מ{0} (Alt+F)</translation>
        </message>
        <message>
            <source>Manager allows spending (Ctrl+M)</source>
            <translation>מנהל מאשר מימוש (Ctrl+M)</translation>
        </message>
        <message>
            <source>Scan the member's card or ask a manager to allow spending</source>
            <translation>סרקו את כרטיס החבר או בקשו ממנהל לאשר מימוש</translation>
        </message>
        <message>
            <source>&amp;Redeem (Alt+R)</source>
            <translation>&amp;מימוש (Alt+R)</translation>
        </message>
        <message>
            <source>Redeem (Alt+R)</source>
            <translation>מימוש (Alt+R)</translation>
        </message>
    </context>
    <context>
        <name>SignInScreen</name>
        <message>
            <location filename="../../ui/signin.py" line="60" />
            <source>Enter your PIN</source>
            <translation>הקישו את הקוד האישי</translation>
        </message>
        <message>
            <location filename="../../ui/signin.py" line="61" />
            <source>Clear</source>
            <translation>נקה</translation>
        </message>
        <message>
            <location filename="../../ui/signin.py" line="62" />
            <source>Sign in</source>
            <translation>כניסה</translation>
        </message>
    </context>
    <context>
        <name>Sale</name>
        <message>
            <source>That coupon is already on this sale</source>
            <translation>הקופון כבר נמצא במכירה זו</translation>
        </message>
        <message>
            <source>Coupon applied</source>
            <translation>הקופון הוחל</translation>
        </message>
        <message>
            <source>Voucher applied</source>
            <translation>השובר הוחל</translation>
        </message>
        <message>
            <source>The cart is empty: add a product first</source>
            <translation>העגלה ריקה: הוסיפו מוצר</translation>
        </message>
        <message>
            <source>Nothing to park</source>
            <translation>אין מה להשהות</translation>
        </message>
        <message>
            <source>Sale parked</source>
            <translation>המכירה הושהתה</translation>
        </message>
        <message>
            <source>Park or void the current sale first</source>
            <translation>השהו או בטלו קודם את המכירה הנוכחית</translation>
        </message>
        <message>
            <source>Identify the member first</source>
            <translation>זהו קודם את החבר</translation>
        </message>
        <message>
            <source>{0} allowed spending points on this sale</source>
            <translation>{0} אישר/ה מימוש נקודות במכירה זו</translation>
        </message>
        <message>
            <source>Member of another store, fetched from HQ</source>
            <translation>חבר מחנות אחרת, נטען מהמטה</translation>
        </message>
        <message>
            <source>Member of another store: earns points now; spending waits until HQ confirms them</source>
            <translation>חבר מחנות אחרת: צובר נקודות כעת; מימוש ימתין עד שהמטה יאשר אותו</translation>
        </message>
    </context>
    <context>
        <name>Explain</name>
        <message>
            <source>(excluded from the program)</source>
            <translation>(לא כלול בתוכנית)</translation>
        </message>
        <message>
            <source>(membership fee)</source>
            <translation>(דמי מנוי)</translation>
        </message>
        <message>
            <source>First purchase of a referred member: +{0} points</source>
            <translation>רכישה ראשונה של חבר שהופנה: +{0} נקודות</translation>
        </message>
        <message>
            <source>Happy birthday: +{0} points</source>
            <translation>יום הולדת שמח: +{0} נקודות</translation>
        </message>
        <message>
            <source>{0}: monthly credit +{1} points</source>
            <translation>{0}: זיכוי חודשי +{1} נקודות</translation>
        </message>
        <message>
            <source>Member</source>
            <translation>חבר מועדון</translation>
        </message>
        <message>
            <source>Points balance after this sale: {0}</source>
            <translation>יתרת נקודות אחרי המכירה: {0}</translation>
        </message>
        <message>
            <source>Points earned: {0} paid on eligible items at {1}</source>
            <translation>נקודות שנצברו: {0} שולמו על פריטים זכאים, לפי {1}</translation>
        </message>
        <message>
            <source>Redeemed {0} points = −{1}</source>
            <translation>מומשו {0} נקודות = ‎−{1}</translation>
        </message>
        <message>
            <source>Total to pay {0}</source>
            <translation>סה"כ לתשלום {0}</translation>
        </message>
        <message>
            <source>bonus day ({0})</source>
            <translation>יום בונוס ({0})</translation>
        </message>
        <message>
            <source>offline, a member may redeem at most {0} points a day</source>
            <translation>במצב לא מקוון חבר יכול לממש עד {0} נקודות ביום</translation>
        </message>
        <message>
            <source>points may pay at most {0}% of the eligible items</source>
            <translation>נקודות יכולות לשלם עד {0}% מהפריטים הזכאים</translation>
        </message>
        <message>
            <source>redeeming points needs a member</source>
            <translation>מימוש נקודות דורש חבר מועדון</translation>
        </message>
        <message>
            <source>the member has {0} points</source>
            <translation>לחבר יש {0} נקודות</translation>
        </message>
        <message>
            <source>the member's balance</source>
            <translation>יתרת החבר</translation>
        </message>
        <message>
            <source>this program has no points redemption</source>
            <translation>בתוכנית זו אין מימוש נקודות</translation>
        </message>
        <message>
            <source>{0} discount {1}% of {2} = −{3}</source>
            <translation>הנחת {0} {1}% מתוך {2} = ‎−{3}</translation>
        </message>
        <message>
            <source>{0} membership</source>
            <translation>מנוי {0}</translation>
        </message>
        <message>
            <source>{0} points per {1}</source>
            <translation>{0} נקודות לכל {1}</translation>
        </message>
        <message>
            <source>{0} reward: 1 × {1} free (−{2}), {3} stamps spent</source>
            <translation>הטבת {0}: 1 × {1} חינם (‎−{2}), נוצלו {3} חותמות</translation>
        </message>
        <message>
            <source>{0} tier</source>
            <translation>דרגת {0}</translation>
        </message>
        <message>
            <source>{0} × {1} @ {2} = {3}</source>
            <translation>{0} × {1} ב-{2} = {3}</translation>
        </message>
        <message>
            <source>{0}: +{1} stamps</source>
            <translation>{0}: +{1} חותמות</translation>
        </message>
        <message>
            <source>{0}: membership +{1} days</source>
            <translation>{0}: מנוי +{1} ימים</translation>
        </message>
        <message>
            <source>1 point per {0}</source>
            <translation>נקודה לכל {0}</translation>
        </message>
    </context>
    <context>
        <name>ManagerPinDialog</name>
        <message>
            <source>Allow</source>
            <translation>אישור</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>ביטול</translation>
        </message>
        <message>
            <source>Manager allows spending</source>
            <translation>מנהל מאשר מימוש</translation>
        </message>
        <message>
            <source>The member has no card with them. A manager may allow spending points on this sale; it is written to the audit log. Manager PIN:</source>
            <translation>לחבר אין את הכרטיס. מנהל יכול לאשר מימוש נקודות במכירה זו; האישור נרשם ביומן הביקורת. קוד מנהל:</translation>
        </message>
    </context>
    <context>
        <name>MemberSearchDialog</name>
        <message>
            <source>Cancel</source>
            <translation>ביטול</translation>
        </message>
        <message>
            <source>Find a member</source>
            <translation>חיפוש חבר מועדון</translation>
        </message>
        <message>
            <source>Name, phone or member id</source>
            <translation>שם, טלפון או מספר חבר</translation>
        </message>
        <message>
            <source>No member matches</source>
            <translation>לא נמצא חבר מתאים</translation>
        </message>
        <message>
            <source>Select (Enter)</source>
            <translation>בחירה (Enter)</translation>
        </message>
        <message>
            <source>The first {0} members: type more to narrow</source>
            <translation>{0} החברים הראשונים: הקלידו עוד כדי לצמצם</translation>
        </message>
        <message>
            <source>Type part of a name, a phone number or a member id</source>
            <translation>הקלידו חלק משם, מספר טלפון או מספר חבר</translation>
        </message>
        <message>
            <source>{0} members</source>
            <translation>{0} חברים</translation>
        </message>
    </context>
    <context>
        <name>MemberSearchModel</name>
        <message>
            <source>Member id</source>
            <translation>מספר חבר</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>שם</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>טלפון</translation>
        </message>
    </context>
    <context>
        <name>CameraView</name>
        <message>
            <source>A video to use as the camera</source>
            <translation>סרטון שישמש כמצלמה</translation>
        </message>
        <message>
            <source>Camera off</source>
            <translation>מצלמה כבויה</translation>
        </message>
        <message>
            <source>Camera off — type the card number or use a USB scanner</source>
            <translation>המצלמה כבויה — הקלידו את מספר הכרטיס או השתמשו בסורק USB</translation>
        </message>
        <message>
            <source>Camera paused: touch the screen or a key to resume</source>
            <translation>המצלמה מושהית: געו במסך או הקישו על מקש כדי להמשיך</translation>
        </message>
        <message>
            <source>Camera {0}</source>
            <translation>מצלמה {0}</translation>
        </message>
        <message>
            <source>Hold the member's card up to the camera</source>
            <translation>הציגו את כרטיס החבר מול המצלמה</translation>
        </message>
        <message>
            <source>Looking for a camera…</source>
            <translation>מחפש מצלמה…</translation>
        </message>
        <message>
            <source>No camera</source>
            <translation>אין מצלמה</translation>
        </message>
        <message>
            <source>No camera found — type the card number or use a USB scanner</source>
            <translation>לא נמצאה מצלמה — הקלידו את מספר הכרטיס או השתמשו בסורק USB</translation>
        </message>
        <message>
            <source>Paused</source>
            <translation>מושהית</translation>
        </message>
        <message>
            <source>Type the card number or use a USB scanner</source>
            <translation>הקלידו את מספר הכרטיס או השתמשו בסורק USB</translation>
        </message>
        <message>
            <source>Video file…</source>
            <translation>קובץ וידאו…</translation>
        </message>
    </context>
    <context>
        <name>CameraWorker</name>
        <message>
            <source>Camera or video not available: {0}</source>
            <translation>המצלמה או הסרטון אינם זמינים: {0}</translation>
        </message>
        <message>
            <source>Not a Kupa code ({0})</source>
            <translation>לא קוד של קופה ({0})</translation>
        </message>
        <message>
            <source>The camera stopped sending pictures</source>
            <translation>המצלמה הפסיקה לשלוח תמונות</translation>
        </message>
    </context>
    <context>
        <name>AuditView</name>
        <message>
            <source>Action</source>
            <translation>פעולה</translation>
        </message>
        <message>
            <source>All actions</source>
            <translation>כל הפעולות</translation>
        </message>
        <message>
            <source>All managers</source>
            <translation>כל המנהלים</translation>
        </message>
        <message>
            <source>From</source>
            <translation>מתאריך</translation>
        </message>
        <message>
            <source>Manager</source>
            <translation>מנהל</translation>
        </message>
        <message>
            <source>Show</source>
            <translation>הצג</translation>
        </message>
        <message>
            <source>To</source>
            <translation>עד תאריך</translation>
        </message>
        <message>
            <source>any</source>
            <translation>כלשהו</translation>
        </message>
    </context>
    <context>
        <name>Dashboard</name>
        <message>
            <source>Active members</source>
            <translation>חברים פעילים</translation>
        </message>
        <message>
            <source>Adoption rate</source>
            <translation>שיעור הצטרפות</translation>
        </message>
        <message>
            <source>Average basket, members</source>
            <translation>סל ממוצע, חברים</translation>
        </message>
        <message>
            <source>Average basket, non-members</source>
            <translation>סל ממוצע, לא חברים</translation>
        </message>
        <message>
            <source>CSV files (*.csv)</source>
            <translation>קובצי CSV (*.csv)</translation>
        </message>
        <message>
            <source>Churned members</source>
            <translation>חברים שנטשו</translation>
        </message>
        <message>
            <source>Earned</source>
            <translation>נצברו</translation>
        </message>
        <message>
            <source>Export figures</source>
            <translation>ייצוא נתונים</translation>
        </message>
        <message>
            <source>Export figures (CSV)…</source>
            <translation>ייצוא נתונים (CSV)…</translation>
        </message>
        <message>
            <source>Export members</source>
            <translation>ייצוא חברים</translation>
        </message>
        <message>
            <source>Export members (CSV)…</source>
            <translation>ייצוא חברים (CSV)…</translation>
        </message>
        <message>
            <source>Exported {0} rows</source>
            <translation>יוצאו {0} שורות</translation>
        </message>
        <message>
            <source>From</source>
            <translation>מתאריך</translation>
        </message>
        <message>
            <source>Last 12 months</source>
            <translation>12 החודשים האחרונים</translation>
        </message>
        <message>
            <source>Extra from member baskets (est.)</source>
            <translation>תוספת מסלי חברים (הערכה)</translation>
        </message>
        <message>
            <source>Member sales</source>
            <translation>מכירות לחברים</translation>
        </message>
        <message>
            <source>Members</source>
            <translation>חברים</translation>
        </message>
        <message>
            <source>Members by tier</source>
            <translation>חברים לפי דרגה</translation>
        </message>
        <message>
            <source>New members</source>
            <translation>חברים חדשים</translation>
        </message>
        <message>
            <source>New members per week</source>
            <translation>חברים חדשים לשבוע</translation>
        </message>
        <message>
            <source>Non-members</source>
            <translation>לא חברים</translation>
        </message>
        <message>
            <source>Paid by members</source>
            <translation>שולם על ידי חברים</translation>
        </message>
        <message>
            <source>Paid by non-members</source>
            <translation>שולם על ידי לא חברים</translation>
        </message>
        <message>
            <source>Points earned</source>
            <translation>נקודות שנצברו</translation>
        </message>
        <message>
            <source>Points per week</source>
            <translation>נקודות לשבוע</translation>
        </message>
        <message>
            <source>Points redeemed</source>
            <translation>נקודות שמומשו</translation>
        </message>
        <message>
            <source>Program cost (rewards)</source>
            <translation>עלות התוכנית (הטבות)</translation>
        </message>
        <message>
            <source>Redeemed</source>
            <translation>מומשו</translation>
        </message>
        <message>
            <source>Redemption rate</source>
            <translation>שיעור מימוש</translation>
        </message>
        <message>
            <source>Repeat-purchase rate</source>
            <translation>שיעור רכישה חוזרת</translation>
        </message>
        <message>
            <source>Sales</source>
            <translation>מכירות</translation>
        </message>
        <message>
            <source>Sales per day</source>
            <translation>מכירות ליום</translation>
        </message>
        <message>
            <source>Show</source>
            <translation>הצג</translation>
        </message>
        <message>
            <source>Show a range first</source>
            <translation>יש להציג טווח תחילה</translation>
        </message>
        <message>
            <source>no tier</source>
            <translation>ללא דרגה</translation>
        </message>
        <message>
            <source>to</source>
            <translation>עד</translation>
        </message>
    </context>
    <context>
        <name>ManagerDialogs</name>
        <message>
            <source>Adjust points</source>
            <translation>עדכון נקודות</translation>
        </message>
        <message>
            <source>Birthday</source>
            <translation>יום הולדת</translation>
        </message>
        <message>
            <source>Bonus weekday</source>
            <translation>יום בונוס בשבוע</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>ביטול</translation>
        </message>
        <message>
            <source>Card</source>
            <translation>כרטיס</translation>
        </message>
        <message>
            <source>Charity</source>
            <translation>עמותה</translation>
        </message>
        <message>
            <source>Confirm</source>
            <translation>אישור</translation>
        </message>
        <message>
            <source>Donate points</source>
            <translation>תרומת נקודות</translation>
        </message>
        <message>
            <source>Duplicate</source>
            <translation>כפיל</translation>
        </message>
        <message>
            <source>E-mail</source>
            <translation>דוא"ל</translation>
        </message>
        <message>
            <source>Edit member details</source>
            <translation>עריכת פרטי חבר</translation>
        </message>
        <message>
            <source>Friday</source>
            <translation>שישי</translation>
        </message>
        <message>
            <source>Member id of the duplicate, e.g. M1000002</source>
            <translation>מספר החבר הכפול, למשל M1000002</translation>
        </message>
        <message>
            <source>Merge a duplicate into {0}</source>
            <translation>מיזוג כפיל לתוך {0}</translation>
        </message>
        <message>
            <source>Monday</source>
            <translation>שני</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>שם</translation>
        </message>
        <message>
            <source>Phone</source>
            <translation>טלפון</translation>
        </message>
        <message>
            <source>Points</source>
            <translation>נקודות</translation>
        </message>
        <message>
            <source>Points (+ adds, − takes away)</source>
            <translation>נקודות (+ מוסיף, − מפחית)</translation>
        </message>
        <message>
            <source>Reason (for the audit log)</source>
            <translation>סיבה (ליומן הביקורת)</translation>
        </message>
        <message>
            <source>Reissue the card</source>
            <translation>הנפקת כרטיס חדש</translation>
        </message>
        <message>
            <source>Revoke a card</source>
            <translation>ביטול כרטיס</translation>
        </message>
        <message>
            <source>Saturday</source>
            <translation>שבת</translation>
        </message>
        <message>
            <source>Sunday</source>
            <translation>ראשון</translation>
        </message>
        <message>
            <source>The duplicate's points and stamps move to this member; both records and every ledger entry are kept.</source>
            <translation>הנקודות והחותמות של הכפיל עוברות לחבר זה; שתי הרשומות וכל תנועות היומן נשמרות.</translation>
        </message>
        <message>
            <source>The member's active cards are revoked and a new QR card is issued.</source>
            <translation>הכרטיסים הפעילים של החבר מבוטלים ומונפק כרטיס QR חדש.</translation>
        </message>
        <message>
            <source>Thursday</source>
            <translation>חמישי</translation>
        </message>
        <message>
            <source>Tuesday</source>
            <translation>שלישי</translation>
        </message>
        <message>
            <source>Wednesday</source>
            <translation>רביעי</translation>
        </message>
        <message>
            <source>none</source>
            <translation>ללא</translation>
        </message>
        <message>
            <source>not given</source>
            <translation>לא נמסר</translation>
        </message>
    </context>
    <context>
        <name>ManagerModels</name>
        <message>
            <source>Action</source>
            <translation>פעולה</translation>
        </message>
        <message>
            <source>Adjustment</source>
            <translation>עדכון ידני</translation>
        </message>
        <message>
            <source>Birthday</source>
            <translation>יום הולדת</translation>
        </message>
        <message>
            <source>Card reissued</source>
            <translation>כרטיס הונפק מחדש</translation>
        </message>
        <message>
            <source>Card revoked</source>
            <translation>כרטיס בוטל</translation>
        </message>
        <message>
            <source>Cashier</source>
            <translation>קופאי</translation>
        </message>
        <message>
            <source>Date</source>
            <translation>תאריך</translation>
        </message>
        <message>
            <source>Details</source>
            <translation>פרטים</translation>
        </message>
        <message>
            <source>Donation</source>
            <translation>תרומה</translation>
        </message>
        <message>
            <source>Earned</source>
            <translation>נצברו</translation>
        </message>
        <message>
            <source>Expired</source>
            <translation>פג תוקף</translation>
        </message>
        <message>
            <source>Free item</source>
            <translation>פריט חינם</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>סוג</translation>
        </message>
        <message>
            <source>Manager</source>
            <translation>מנהל</translation>
        </message>
        <message>
            <source>Member / sale / card</source>
            <translation>חבר / מכירה / כרטיס</translation>
        </message>
        <message>
            <source>Member details edited</source>
            <translation>פרטי חבר נערכו</translation>
        </message>
        <message>
            <source>Members merged</source>
            <translation>חברים מוזגו</translation>
        </message>
        <message>
            <source>Paid plan</source>
            <translation>מנוי בתשלום</translation>
        </message>
        <message>
            <source>Points</source>
            <translation>נקודות</translation>
        </message>
        <message>
            <source>Points adjustment</source>
            <translation>עדכון נקודות</translation>
        </message>
        <message>
            <source>Program loaded</source>
            <translation>תוכנית נטענה</translation>
        </message>
        <message>
            <source>Terminal setting changed</source>
            <translation>הגדרת קופה שונתה</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>סיבה</translation>
        </message>
        <message>
            <source>Redeemed</source>
            <translation>מומשו</translation>
        </message>
        <message>
            <source>Referral</source>
            <translation>הפניה</translation>
        </message>
        <message>
            <source>Refund</source>
            <translation>החזר</translation>
        </message>
        <message>
            <source>Rejected: {0}</source>
            <translation>נדחה: {0}</translation>
        </message>
        <message>
            <source>Sale</source>
            <translation>מכירה</translation>
        </message>
        <message>
            <source>Spend</source>
            <translation>הוצאה</translation>
        </message>
        <message>
            <source>Spending allowed without card</source>
            <translation>מימוש אושר ללא כרטיס</translation>
        </message>
        <message>
            <source>Stamp</source>
            <translation>חותמת</translation>
        </message>
        <message>
            <source>Stamps</source>
            <translation>חותמות</translation>
        </message>
        <message>
            <source>Sync</source>
            <translation>סנכרון</translation>
        </message>
        <message>
            <source>Synced</source>
            <translation>סונכרן</translation>
        </message>
        <message>
            <source>Terminal</source>
            <translation>קופה</translation>
        </message>
        <message>
            <source>Tier discount</source>
            <translation>הנחת דרגה</translation>
        </message>
        <message>
            <source>Waiting</source>
            <translation>ממתין</translation>
        </message>
        <message>
            <source>Welcome</source>
            <translation>הצטרפות</translation>
        </message>
        <message>
            <source>points</source>
            <translation>נקודות</translation>
        </message>
        <message>
            <source>stamps</source>
            <translation>חותמות</translation>
        </message>
        <message>
            <source>entry</source>
            <translation>רשומה</translation>
        </message>
        <message>
            <source>balance before</source>
            <translation>יתרה לפני</translation>
        </message>
        <message>
            <source>override</source>
            <translation>חריגה</translation>
        </message>
        <message>
            <source>member</source>
            <translation>חבר</translation>
        </message>
        <message>
            <source>merged member</source>
            <translation>חבר שמוזג</translation>
        </message>
        <message>
            <source>action</source>
            <translation>פעולה</translation>
        </message>
        <message>
            <source>cards revoked</source>
            <translation>כרטיסים שבוטלו</translation>
        </message>
        <message>
            <source>authorised by</source>
            <translation>אושר על ידי</translation>
        </message>
        <message>
            <source>clock was</source>
            <translation>השעון היה</translation>
        </message>
        <message>
            <source>confirmed at</source>
            <translation>אושר ב</translation>
        </message>
        <message>
            <source>name</source>
            <translation>שם</translation>
        </message>
        <message>
            <source>phone</source>
            <translation>טלפון</translation>
        </message>
        <message>
            <source>e-mail</source>
            <translation>דוא"ל</translation>
        </message>
        <message>
            <source>birthday</source>
            <translation>יום הולדת</translation>
        </message>
        <message>
            <source>bonus weekday</source>
            <translation>יום בונוס</translation>
        </message>
        <message>
            <source>status</source>
            <translation>מצב</translation>
        </message>
        <message>
            <source>terminal</source>
            <translation>קופה</translation>
        </message>
        <message>
            <source>refund</source>
            <translation>החזר</translation>
        </message>
        <message>
            <source>money back</source>
            <translation>סכום שהוחזר</translation>
        </message>
        <message>
            <source>units</source>
            <translation>יחידות</translation>
        </message>
        <message>
            <source>Clock confirmed</source>
            <translation>השעון אושר</translation>
        </message>
        <message>
            <source>Action points granted</source>
            <translation>נקודות על פעולה</translation>
        </message>
        <message>
            <source>Sync started by a manager</source>
            <translation>סנכרון שהפעיל מנהל</translation>
        </message>
        <message>
            <source>Cashier PIN rule changed</source>
            <translation>כלל קוד הקופאי שונה</translation>
        </message>
        <message>
            <source>Drawer opened without a sale</source>
            <translation>מגירה נפתחה ללא מכירה</translation>
        </message>
        <message>
            <source>Line voided</source>
            <translation>שורה בוטלה</translation>
        </message>
        <message>
            <source>Own PIN changed</source>
            <translation>קוד אישי שונה</translation>
        </message>
        <message>
            <source>PIN reset by a manager</source>
            <translation>קוד אופס על ידי מנהל</translation>
        </message>
        <message>
            <source>Sale voided</source>
            <translation>מכירה בוטלה</translation>
        </message>
        <message>
            <source>Staff member added</source>
            <translation>עובד נוסף</translation>
        </message>
        <message>
            <source>Staff member disabled</source>
            <translation>עובד הושבת</translation>
        </message>
    </context>
    <context>
        <name>ManagerSale</name>
        <message>
            <source>Cashier: {0}</source>
            <translation>קופאי: {0}</translation>
        </message>
        <message>
            <source>Choose the quantities to refund</source>
            <translation>יש לבחור כמויות להחזר</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>סגירה</translation>
        </message>
        <message>
            <source>Item</source>
            <translation>פריט</translation>
        </message>
        <message>
            <source>New card {0}</source>
            <translation>כרטיס חדש {0}</translation>
        </message>
        <message>
            <source>Points earned</source>
            <translation>נקודות שנצברו</translation>
        </message>
        <message>
            <source>Points redeemed</source>
            <translation>נקודות שמומשו</translation>
        </message>
        <message>
            <source>Reason (for the audit log)</source>
            <translation>סיבה (ליומן הביקורת)</translation>
        </message>
        <message>
            <source>Refund now</source>
            <translation>להחזיר עכשיו</translation>
        </message>
        <message>
            <source>Refund the chosen quantities</source>
            <translation>החזר הכמויות שנבחרו</translation>
        </message>
        <message>
            <source>Refund the whole sale</source>
            <translation>החזר המכירה כולה</translation>
        </message>
        <message>
            <source>Refund {0} on {1}: {2} back</source>
            <translation>החזר {0} ב־{1}: הוחזרו {2}</translation>
        </message>
        <message>
            <source>Sale {0}</source>
            <translation>מכירה {0}</translation>
        </message>
        <message>
            <source>Sold / refunded</source>
            <translation>נמכר / הוחזר</translation>
        </message>
        <message>
            <source>Total paid</source>
            <translation>סה"כ שולם</translation>
        </message>
    </context>
    <context>
        <name>ManagerSignInDialog</name>
        <message>
            <source>Manager mode</source>
            <translation>מצב מנהל</translation>
        </message>
        <message>
            <source>Member status, corrections, the dashboard and the audit log. Manager PIN:</source>
            <translation>מצב חבר, תיקונים, לוח המחוונים ויומן הביקורת. קוד מנהל:</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>פתיחה</translation>
        </message>
    </context>
    <context>
        <name>ManagerWindow</name>
        <message>
            <source>Audit log</source>
            <translation>יומן ביקורת</translation>
        </message>
        <message>
            <source>Dashboard</source>
            <translation>לוח מחוונים</translation>
        </message>
        <message>
            <source>Kupa — manager: {0}</source>
            <translation>קופה — מנהל: {0}</translation>
        </message>
        <message>
            <source>Lock (Ctrl+L)</source>
            <translation>נעילה (Ctrl+L)</translation>
        </message>
        <message>
            <source>Manager: {0}</source>
            <translation>מנהל: {0}</translation>
        </message>
        <message>
            <source>Member status</source>
            <translation>מצב חבר</translation>
        </message>
        <message>
            <source>Staff</source>
            <translation>עובדים</translation>
        </message>
    </context>
    <context>
        <name>MemberStatus</name>
        <message>
            <source>&lt;b&gt;{0}&lt;/b&gt; points</source>
            <translation>&lt;b&gt;{0}&lt;/b&gt; נקודות</translation>
        </message>
        <message>
            <source>&lt;b&gt;{0}&lt;/b&gt;: qualifying spend {1} over the last {2} days (since {3})</source>
            <translation>&lt;b&gt;{0}&lt;/b&gt;: הוצאה מזכה {1} ב־{2} הימים האחרונים (מאז {3})</translation>
        </message>
        <message>
            <source>Adjust points</source>
            <translation>עדכון נקודות</translation>
        </message>
        <message>
            <source>Birthday: {0}</source>
            <translation>יום הולדת: {0}</translation>
        </message>
        <message>
            <source>Card {0}: active</source>
            <translation>כרטיס {0}: פעיל</translation>
        </message>
        <message>
            <source>Card {0}: revoked {1}</source>
            <translation>כרטיס {0}: בוטל {1}</translation>
        </message>
        <message>
            <source>Donate points</source>
            <translation>תרומת נקודות</translation>
        </message>
        <message>
            <source>Done; written to the audit log</source>
            <translation>בוצע; נרשם ביומן הביקורת</translation>
        </message>
        <message>
            <source>E-mail: {0}</source>
            <translation>דוא"ל: {0}</translation>
        </message>
        <message>
            <source>Edit details</source>
            <translation>עריכת פרטים</translation>
        </message>
        <message>
            <source>Highest tier</source>
            <translation>הדרגה הגבוהה ביותר</translation>
        </message>
        <message>
            <source>Issued</source>
            <translation>הונפק</translation>
        </message>
        <message>
            <source>Kept for the whole window even without new purchases</source>
            <translation>הדרגה נשמרת לכל התקופה גם ללא רכישות חדשות</translation>
        </message>
        <message>
            <source>Kept until {0} without new purchases; spending {1} by then keeps it</source>
            <translation>נשמרת עד {0} ללא רכישות חדשות; הוצאה של {1} עד אז תשמור עליה</translation>
        </message>
        <message>
            <source>Member</source>
            <translation>חבר</translation>
        </message>
        <message>
            <source>Member id, card number or phone — Enter; or search by name</source>
            <translation>מספר חבר, מספר כרטיס או טלפון — Enter; או חיפוש לפי שם</translation>
        </message>
        <message>
            <source>Merge duplicate</source>
            <translation>מיזוג כפיל</translation>
        </message>
        <message>
            <source>Merged from: {0}</source>
            <translation>מוזג מתוך: {0}</translation>
        </message>
        <message>
            <source>Next tier: {0} at {1}; {2} to go</source>
            <translation>הדרגה הבאה: {0} ב־{1}; חסרים {2}</translation>
        </message>
        <message>
            <source>Next to expire: {0} points on {1}</source>
            <translation>הבאות לפוג: {0} נקודות ב־{1}</translation>
        </message>
        <message>
            <source>Next to leave the window: {0} on {1}</source>
            <translation>הבא לצאת מהתקופה: {0} ב־{1}</translation>
        </message>
        <message>
            <source>No paid plan</source>
            <translation>אין מנוי בתשלום</translation>
        </message>
        <message>
            <source>Nothing expires soon</source>
            <translation>אין נקודות שפגות בקרוב</translation>
        </message>
        <message>
            <source>Open sale / refund</source>
            <translation>פתיחת מכירה / החזר</translation>
        </message>
        <message>
            <source>Phone: {0}</source>
            <translation>טלפון: {0}</translation>
        </message>
        <message>
            <source>Plan {0} until {1}</source>
            <translation>מנוי {0} עד {1}</translation>
        </message>
        <message>
            <source>Points and stamps</source>
            <translation>נקודות וחותמות</translation>
        </message>
        <message>
            <source>Reached on {0} (spend in the window passed {1})</source>
            <translation>הושגה ב־{0} (ההוצאה בתקופה עברה {1})</translation>
        </message>
        <message>
            <source>Refunded: {0} back</source>
            <translation>הוחזר: {0}</translation>
        </message>
        <message>
            <source>Reissue card</source>
            <translation>הנפקת כרטיס חדש</translation>
        </message>
        <message>
            <source>Revoke card</source>
            <translation>ביטול כרטיס</translation>
        </message>
        <message>
            <source>Search by name…</source>
            <translation>חיפוש לפי שם…</translation>
        </message>
        <message>
            <source>Select a ledger row of a sale first</source>
            <translation>יש לבחור תחילה שורת מכירה ביומן</translation>
        </message>
        <message>
            <source>Tier</source>
            <translation>דרגה</translation>
        </message>
        <message>
            <source>no tier</source>
            <translation>ללא דרגה</translation>
        </message>
        <message>
            <source>{0} entries waiting for HQ</source>
            <translation>{0} רשומות ממתינות למטה</translation>
        </message>
        <message>
            <source>{0} points past expiry (written at the next sale)</source>
            <translation>{0} נקודות שפג תוקפן (יירשמו במכירה הבאה)</translation>
        </message>
        <message>
            <source>{0}: {1} of {2} stamps</source>
            <translation>{0}: {1} מתוך {2} חותמות</translation>
        </message>
    </context>
    <context>
        <name>SyncStatus</name>
        <message>
            <location filename="../../ui/sync_status.py" line="3" />
            <source>Local only</source>
            <translation>מקומי בלבד</translation>
        </message>
        <message>
            <location filename="../../ui/sync_status.py" line="4" />
            <source>Syncing…</source>
            <translation>מסנכרן…</translation>
        </message>
        <message>
            <location filename="../../ui/sync_status.py" line="56" />
            <source>Connecting to HQ…</source>
            <translation>מתחבר למטה…</translation>
        </message>
        <message>
            <location filename="../../ui/sync_status.py" line="3" />
            <source>Online</source>
            <translation>מחובר</translation>
        </message>
        <message>
            <location filename="../../ui/sync_status.py" line="4" />
            <source>Offline</source>
            <translation>לא מחובר</translation>
        </message>
        <message>
            <location filename="../../ui/sync_status.py" line="60" />
            <source>{0} · never synced</source>
            <translation>{0} · טרם סונכרן</translation>
        </message>
        <message>
            <location filename="../../ui/sync_status.py" line="63" />
            <source>{0} · last sync {1}</source>
            <translation>{0} · סנכרון אחרון {1}</translation>
        </message>
        <message>
            <location filename="../../ui/sync_status.py" line="1" />
            <source>Sync now</source>
            <translation>סנכרן עכשיו</translation>
        </message>
        <message>
            <location filename="../../ui/sync_status.py" line="84" />
            <source>Sync with HQ now</source>
            <translation>סנכרון עם המטה עכשיו</translation>
        </message>
        <message>
            <location filename="../../ui/sync_status.py" line="85" />
            <source>A manager may start a sync with HQ now; it is written to the audit log. Manager PIN:</source>
            <translation>מנהל רשאי להפעיל סנכרון עם המטה עכשיו; הפעולה נרשמת ביומן הביקורת. קוד מנהל:</translation>
        </message>
    </context>
    <context>
        <name>ShiftActions</name>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>Cash in…</source>
            <translation>הכנסת מזומן…</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>Cash movement recorded</source>
            <translation>תנועת המזומן נרשמה</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>Cash out…</source>
            <translation>הוצאת מזומן…</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>Close shift (Z)…</source>
            <translation>סגירת משמרת (Z)…</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>Open shift…</source>
            <translation>פתיחת משמרת…</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>Shift</source>
            <translation>משמרת</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>Shift opened</source>
            <translation>המשמרת נפתחה</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>X report</source>
            <translation>דוח X</translation>
        </message>
    </context>
    <context>
        <name>ShiftDialog</name>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>&amp;Amount</source>
            <translation>&amp;סכום</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>&amp;Float</source>
            <translation>&amp;קופה פותחת</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>&amp;Reason</source>
            <translation>&amp;סיבה</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>Cancel</source>
            <translation>ביטול</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>Cash &amp;counted</source>
            <translation>מזומן &amp;שנספר</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>Cash in</source>
            <translation>הכנסת מזומן</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>Cash out</source>
            <translation>הוצאת מזומן</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>Cash put into the drawer during the shift.</source>
            <translation>מזומן שהוכנס למגירה במהלך המשמרת.</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>Cash taken out of the drawer during the shift.</source>
            <translation>מזומן שהוצא מהמגירה במהלך המשמרת.</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>Close shift (Z)</source>
            <translation>סגירת משמרת (Z)</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>Count the cash in the drawer and enter it; the Z report is kept.</source>
            <translation>ספרו את המזומן במגירה והזינו אותו; דוח ה־Z נשמר.</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>Count the float into the drawer and enter it.</source>
            <translation>ספרו את הקופה הפותחת לתוך המגירה והזינו אותה.</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>Manager &amp;PIN</source>
            <translation>&amp;קוד מנהל</translation>
        </message>
        <message>
            <location filename="../../ui/shift_ui.py" line="1" />
            <source>Open shift</source>
            <translation>פתיחת משמרת</translation>
        </message>
    </context>
    <context>
        <name>TenderDialog</name>
        <message>
            <location filename="../../ui/tender_dialog.py" line="1" />
            <source>&amp;Cash given</source>
            <translation>&amp;מזומן שהתקבל</translation>
        </message>
        <message>
            <location filename="../../ui/tender_dialog.py" line="1" />
            <source>Back to the sale (Esc)</source>
            <translation>חזרה למכירה (Esc)</translation>
        </message>
        <message>
            <location filename="../../ui/tender_dialog.py" line="1" />
            <source>Car&amp;d amount</source>
            <translation>סכום ב&amp;כרטיס</translation>
        </message>
        <message>
            <location filename="../../ui/tender_dialog.py" line="1" />
            <source>Card &amp;reference</source>
            <translation>&amp;אסמכתת כרטיס</translation>
        </message>
        <message>
            <location filename="../../ui/tender_dialog.py" line="1" />
            <source>&amp;Gift card code</source>
            <translation>קוד &amp;כרטיס מתנה</translation>
        </message>
        <message>
            <location filename="../../ui/tender_dialog.py" line="1" />
            <source>Gift card a&amp;mount</source>
            <translation>&amp;סכום בכרטיס מתנה</translation>
        </message>
        <message>
            <location filename="../../ui/tender_dialog.py" line="1" />
            <source>Change: {0}</source>
            <translation>עודף: {0}</translation>
        </message>
        <message>
            <location filename="../../ui/tender_dialog.py" line="1" />
            <source>Complete sale (Enter)</source>
            <translation>סיום מכירה (Enter)</translation>
        </message>
        <message>
            <location filename="../../ui/tender_dialog.py" line="1" />
            <source>Exact {0}</source>
            <translation>מדויק {0}</translation>
        </message>
        <message>
            <location filename="../../ui/tender_dialog.py" line="1" />
            <source>No shift is open: cash needs a manager to open one</source>
            <translation>אין משמרת פתוחה: מזומן דורש שמנהל יפתח משמרת</translation>
        </message>
        <message>
            <location filename="../../ui/tender_dialog.py" line="1" />
            <source>Payment</source>
            <translation>תשלום</translation>
        </message>
        <message>
            <location filename="../../ui/tender_dialog.py" line="1" />
            <source>Rest on card (F9)</source>
            <translation>היתרה בכרטיס (F9)</translation>
        </message>
        <message>
            <location filename="../../ui/tender_dialog.py" line="1" />
            <source>Still to pay: {0}</source>
            <translation>נותר לתשלום: {0}</translation>
        </message>
        <message>
            <location filename="../../ui/tender_dialog.py" line="1" />
            <source>To pay: {0}</source>
            <translation>לתשלום: {0}</translation>
        </message>
    </context>
    <context>
        <name>CustomerDisplay</name>
        <message>
            <source>{0} — customer display</source>
            <translation>{0} — מסך לקוח</translation>
        </message>
        <message>
            <source>Welcome to {0}</source>
            <translation>ברוכים הבאים ל{0}</translation>
        </message>
        <message>
            <source>Ask the cashier about our loyalty program</source>
            <translation>שאלו בקופה על מועדון הלקוחות שלנו</translation>
        </message>
        <message>
            <source>Item</source>
            <translation>פריט</translation>
        </message>
        <message>
            <source>Qty</source>
            <translation>כמות</translation>
        </message>
        <message>
            <source>Amount</source>
            <translation>סכום</translation>
        </message>
        <message>
            <source>Hello, {0}</source>
            <translation>שלום, {0}</translation>
        </message>
        <message>
            <source>{0} member</source>
            <translation>חבר/ת {0}</translation>
        </message>
        <message>
            <source>{0} points</source>
            <translation>{0} נקודות</translation>
        </message>
        <message>
            <source>This sale earns</source>
            <translation>הקנייה הזאת מזכה ב</translation>
        </message>
        <message>
            <source>+{0} points</source>
            <translation>‎+{0} נקודות</translation>
        </message>
        <message>
            <source>Why:</source>
            <translation>למה:</translation>
        </message>
        <message>
            <source>Not a member yet? Join today and earn points on this sale.</source>
            <translation>עוד לא חברים? הצטרפו היום וצברו נקודות כבר בקנייה הזאת.</translation>
        </message>
        <message>
            <source>{0}: {1} {2} / {3}</source>
            <translation>{0}: {1} ⁦{2} / {3}⁩</translation>
        </message>
        <message>
            <source>(+{0} this sale)</source>
            <translation>(‎+{0} בקנייה הזאת)</translation>
        </message>
        <message>
            <source>(free item on this sale)</source>
            <translation>(פריט חינם בקנייה הזאת)</translation>
        </message>
        <message>
            <source>Subtotal</source>
            <translation>סכום ביניים</translation>
        </message>
        <message>
            <source>Discounts</source>
            <translation>הנחות</translation>
        </message>
        <message>
            <source>Points redeemed ({0})</source>
            <translation>מימוש נקודות ({0})</translation>
        </message>
        <message>
            <source>Total</source>
            <translation>סה"כ לתשלום</translation>
        </message>
        <message>
            <source>Points after this sale: {0}</source>
            <translation>נקודות אחרי הקנייה: {0}</translation>
        </message>
        <message>
            <source>Thank you!</source>
            <translation>תודה רבה!</translation>
        </message>
        <message>
            <source>Thank you, {0}!</source>
            <translation>תודה רבה, {0}!</translation>
        </message>
        <message>
            <source>You earned {0} points</source>
            <translation>צברת {0} נקודות</translation>
        </message>
        <message>
            <source>Your balance: {0} points</source>
            <translation>היתרה שלך: {0} נקודות</translation>
        </message>
        <message>
            <source>Paid: {0}</source>
            <translation>שולם: {0}</translation>
        </message>
        <message>
            <source>עברית</source>
            <translation>English</translation>
        </message>
        <message>
            <source>{0} free</source>
            <translation>{0} חינם</translation>
        </message>
    </context>
    <context>
        <name>Staff</name>
        <message>
            <source>&amp;Current PIN</source>
            <translation>הקוד ה&amp;נוכחי</translation>
        </message>
        <message>
            <source>&amp;Name</source>
            <translation>&amp;שם</translation>
        </message>
        <message>
            <source>&amp;New PIN (4–8 digits)</source>
            <translation>קוד &amp;חדש (4–8 ספרות)</translation>
        </message>
        <message>
            <source>&amp;PIN (4–8 digits)</source>
            <translation>&amp;קוד (4–8 ספרות)</translation>
        </message>
        <message>
            <source>&amp;Role</source>
            <translation>&amp;תפקיד</translation>
        </message>
        <message>
            <source>Active</source>
            <translation>פעיל</translation>
        </message>
        <message>
            <source>Add</source>
            <translation>הוסף</translation>
        </message>
        <message>
            <source>Add a staff member</source>
            <translation>הוספת עובד</translation>
        </message>
        <message>
            <source>Cashier</source>
            <translation>קופאי</translation>
        </message>
        <message>
            <source>Change my PIN</source>
            <translation>שינוי הקוד שלי</translation>
        </message>
        <message>
            <source>Disable</source>
            <translation>השבת</translation>
        </message>
        <message>
            <source>Disabled</source>
            <translation>מושבת</translation>
        </message>
        <message>
            <source>Manager</source>
            <translation>מנהל</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>שם</translation>
        </message>
        <message>
            <source>New PI&amp;N</source>
            <translation>קוד ח&amp;דש</translation>
        </message>
        <message>
            <source>New PIN &amp;again</source>
            <translation>הקוד החדש &amp;שוב</translation>
        </message>
        <message>
            <source>No.</source>
            <translation>מס׳</translation>
        </message>
        <message>
            <source>PIN of {0} reset</source>
            <translation>הקוד של {0} אופס</translation>
        </message>
        <message>
            <source>Reset PIN</source>
            <translation>איפוס קוד</translation>
        </message>
        <message>
            <source>Role</source>
            <translation>תפקיד</translation>
        </message>
        <message>
            <source>Selected staff member</source>
            <translation>העובד הנבחר</translation>
        </message>
        <message>
            <source>State</source>
            <translation>מצב</translation>
        </message>
        <message>
            <source>The two new PINs differ</source>
            <translation>שני הקודים החדשים שונים</translation>
        </message>
        <message>
            <source>{0} added as staff member {1}</source>
            <translation>{0} נוסף כעובד מספר {1}</translation>
        </message>
        <message>
            <source>{0} disabled</source>
            <translation>{0} הושבת</translation>
        </message>
    </context>
    <context>
        <name>VoidDialog</name>
        <message>
            <source>&amp;Reason</source>
            <translation>&amp;סיבה</translation>
        </message>
        <message>
            <source>Customer changed their mind</source>
            <translation>הלקוח התחרט</translation>
        </message>
        <message>
            <source>Customer could not pay</source>
            <translation>הלקוח לא יכול היה לשלם</translation>
        </message>
        <message>
            <source>Keep the sale</source>
            <translation>השאר את המכירה</translation>
        </message>
        <message>
            <source>Training or test</source>
            <translation>הדרכה או בדיקה</translation>
        </message>
        <message>
            <source>Void sale</source>
            <translation>ביטול מכירה</translation>
        </message>
        <message>
            <source>Void this sale? {0} lines, {1}. Nothing is sold, and the void is written to the audit log under your name.</source>
            <translation>לבטל את המכירה? {0} שורות, {1}. דבר לא נמכר, והביטול נרשם ביומן הביקורת על שמך.</translation>
        </message>
        <message>
            <source>Wrong items rung up</source>
            <translation>הוקלדו פריטים שגויים</translation>
        </message>
    </context>
    <context>
        <name>Accessible</name>
        <message>
            <location filename="../../ui/layout.py" line="1" />
            <source>Cart</source>
            <translation>עגלה</translation>
        </message>
        <message>
            <location filename="../../ui/layout.py" line="1" />
            <source>Ledger</source>
            <translation>תנועות</translation>
        </message>
        <message>
            <location filename="../../ui/layout.py" line="1" />
            <source>Audit log</source>
            <translation>יומן ביקורת</translation>
        </message>
        <message>
            <location filename="../../ui/layout.py" line="1" />
            <source>Receipt</source>
            <translation>קבלה</translation>
        </message>
    </context>
    <context>
        <name>PromotionsList</name>
        <message>
            <source>Coupon {0}
{1}</source>
            <translation>קופון {0}
{1}</translation>
        </message>
        <message>
            <source>Coupons, vouchers and offers (Alt+C, Alt+V, Alt+O)</source>
            <translation>קופונים, שוברים והצעות (Alt+C,‏ Alt+V,‏ Alt+O)</translation>
        </message>
        <message>
            <source>Offer {0}</source>
            <translation>הצעה: {0}</translation>
        </message>
        <message>
            <source>Offer {0}
Take: {1}</source>
            <translation>הצעה {0}
לקבל: {1}</translation>
        </message>
        <message>
            <source>Voucher {0}
{1} · {2}</source>
            <translation>שובר {0}
{1} · {2}</translation>
        </message>
        <message>
            <source>free item</source>
            <translation>פריט חינם</translation>
        </message>
        <message>
            <source>no end date</source>
            <translation>ללא תאריך תפוגה</translation>
        </message>
        <message>
            <source>until {0}</source>
            <translation>עד {0}</translation>
        </message>
        <message>
            <source>✓ Coupon {0}
{1}</source>
            <translation>✓ קופון {0}
{1}</translation>
        </message>
        <message>
            <source>✓ Voucher {0}
{1}</source>
            <translation>✓ שובר {0}
{1}</translation>
        </message>
    </context>
</TS>
