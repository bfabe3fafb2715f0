/// The fixed catalogue the generated province is built from: Nghệ An's
/// (GSO code 40, agency code H40) districts and communes, the administrative
/// procedures its one-stop shops handle, and the texts officers and citizens
/// write. The people and the dossiers are drawn from the seed; this catalogue
/// is the same for every seed.
enum Catalog {
    static let provinceCode = "H40"
    static let provinceName = "Ủy ban nhân dân tỉnh Nghệ An"

    struct District {
        var name: String
        /// Communes, wards (phường) and towns (thị trấn) of the district.
        var communes: [String]
        /// Relative population (dossier volume) of each commune.
        var weight: Double
    }

    static let districts: [District] = [
        District(name: "thành phố Vinh", communes: ["phường Hưng Bình", "phường Lê Lợi", "phường Trường Thi", "phường Quang Trung",
                                                    "phường Bến Thủy", "phường Hà Huy Tập", "phường Đội Cung", "phường Cửa Nam"], weight: 2.2),
        District(name: "thị xã Cửa Lò", communes: ["phường Nghi Thủy", "phường Nghi Tân", "phường Thu Thủy", "phường Nghi Hải",
                                                   "phường Nghi Hòa", "phường Nghi Hương", "phường Nghi Thu"], weight: 1.1),
        District(name: "huyện Nghi Lộc", communes: ["thị trấn Quán Hành", "xã Nghi Phong", "xã Nghi Xuân", "xã Nghi Thạch",
                                                    "xã Nghi Trung", "xã Nghi Long", "xã Nghi Đồng", "xã Nghi Hưng"], weight: 1.0),
        District(name: "huyện Diễn Châu", communes: ["thị trấn Diễn Châu", "xã Diễn Kỷ", "xã Diễn Hoa", "xã Diễn Phong",
                                                     "xã Diễn Thịnh", "xã Diễn Liên", "xã Diễn Hạnh", "xã Diễn Yên"], weight: 1.1),
        District(name: "huyện Quỳnh Lưu", communes: ["thị trấn Cầu Giát", "xã Quỳnh Bá", "xã Quỳnh Hồng", "xã Quỳnh Lâm",
                                                     "xã Quỳnh Thạch", "xã Quỳnh Văn", "xã Quỳnh Thanh"], weight: 1.0),
        District(name: "huyện Yên Thành", communes: ["thị trấn Hoa Thành", "xã Công Thành", "xã Bảo Thành", "xã Hợp Thành",
                                                     "xã Phúc Thành", "xã Tăng Thành", "xã Đô Thành", "xã Mỹ Thành"], weight: 0.9),
        District(name: "huyện Nam Đàn", communes: ["thị trấn Nam Đàn", "xã Kim Liên", "xã Nam Anh", "xã Nam Xuân",
                                                   "xã Nam Thanh", "xã Nam Lĩnh", "xã Hùng Tiến"], weight: 0.8),
        District(name: "huyện Đô Lương", communes: ["thị trấn Đô Lương", "xã Đặng Sơn", "xã Bắc Sơn", "xã Hòa Sơn",
                                                    "xã Lạc Sơn", "xã Tràng Sơn", "xã Thịnh Sơn"], weight: 0.8),
    ]

    /// Who does a step of a procedure's internal workflow.
    enum Role: UInt8 { case oneStop, specialist, leader }

    /// A step template: name, role, share of the processing time.
    typealias StepShape = (name: String, role: Role, share: Double)

    static let standardSteps: [StepShape] = [("Tiếp nhận", .oneStop, 0.06), ("Thẩm định", .specialist, 0.58),
                                             ("Phê duyệt", .leader, 0.26), ("Trả kết quả", .oneStop, 0.10)]
    static let certificationSteps: [StepShape] = [("Tiếp nhận", .oneStop, 0.15), ("Ký chứng thực", .leader, 0.60),
                                                  ("Trả kết quả", .oneStop, 0.25)]
    static let landSteps: [StepShape] = [("Tiếp nhận", .oneStop, 0.04), ("Thẩm định", .specialist, 0.36),
                                         ("Xác minh thực địa", .specialist, 0.30), ("Phê duyệt", .leader, 0.20),
                                         ("Trả kết quả", .oneStop, 0.10)]
    static let interAgencySteps: [StepShape] = [("Tiếp nhận", .oneStop, 0.05), ("Thẩm định", .specialist, 0.40),
                                                ("Lấy ý kiến phối hợp", .specialist, 0.25), ("Phê duyệt", .leader, 0.20),
                                                ("Trả kết quả", .oneStop, 0.10)]

    enum Level { case commune, district, province }

    struct Procedure {
        var code: String
        var name: String
        var level: Level
        /// Exactly one of days / hours.
        var days: Double?
        var hours: Int?
        var online: String
        var steps: [StepShape]
        var obligationPauses: Bool = false
        /// Fee (lệ phí) paid at filing, VND; 0 for none.
        var fee: Int = 0
        /// Range of the tax / financial obligation asked during processing, VND (obligation procedures only).
        var obligation: ClosedRange<Int>? = nil
        /// Relative dossier volume.
        var weight: Double
        /// Probability that a dossier is asked for a supplement.
        var supplement: Double = 0.05
        /// A later definition with a shorter processing time, mid-period.
        var amendedDays: Double? = nil
    }

    static let procedures: [Procedure] = [
        // Commune level (cấp xã): civil status and certification.
        Procedure(code: "1.001193", name: "Đăng ký khai sinh", level: .commune, days: 1, online: "full", steps: standardSteps, weight: 9),
        Procedure(code: "1.000894", name: "Đăng ký kết hôn", level: .commune, days: 1, online: "partial", steps: standardSteps, weight: 3),
        Procedure(code: "1.000656", name: "Đăng ký khai tử", level: .commune, days: 1, online: "full", steps: standardSteps, weight: 2.5),
        Procedure(code: "2.000815", name: "Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan, tổ chức có thẩm quyền của Việt Nam cấp hoặc chứng nhận",
                  level: .commune, hours: 4, online: "partial", steps: certificationSteps, fee: 10_000, weight: 16, supplement: 0.01),
        Procedure(code: "2.000884", name: "Chứng thực chữ ký trong các giấy tờ, văn bản", level: .commune, days: 0.5, online: "none",
                  steps: certificationSteps, fee: 10_000, weight: 5, supplement: 0.01),
        Procedure(code: "1.004873", name: "Cấp Giấy xác nhận tình trạng hôn nhân", level: .commune, days: 3, online: "full", steps: standardSteps, weight: 5),
        Procedure(code: "2.000635", name: "Cấp bản sao Trích lục hộ tịch", level: .commune, hours: 8, online: "full", steps: standardSteps, fee: 8_000, weight: 4),
        Procedure(code: "1.004884", name: "Đăng ký thay đổi, cải chính, bổ sung thông tin hộ tịch", level: .commune, days: 3, online: "full",
                  steps: standardSteps, fee: 15_000, weight: 1.5, supplement: 0.08),
        Procedure(code: "1.004837", name: "Đăng ký giám hộ", level: .commune, days: 3, online: "partial", steps: standardSteps, weight: 0.3),
        Procedure(code: "1.001022", name: "Đăng ký nhận cha, mẹ, con", level: .commune, days: 3, online: "partial", steps: standardSteps, weight: 0.3, supplement: 0.1),
        Procedure(code: "1.001699", name: "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật", level: .commune, days: 20,
                  online: "partial", steps: interAgencySteps, weight: 0.4, supplement: 0.08),
        Procedure(code: "1.001776", name: "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng, hỗ trợ kinh phí chăm sóc, nuôi dưỡng hằng tháng",
                  level: .commune, days: 15, online: "partial", steps: interAgencySteps, weight: 0.8, supplement: 0.1),
        // District level (cấp huyện) until 1 July 2025, then received at the communes.
        Procedure(code: "1.004227", name: "Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất lần đầu",
                  level: .district, days: 30, online: "partial", steps: landSteps, obligationPauses: true, fee: 100_000,
                  obligation: 2_000_000...45_000_000, weight: 3, supplement: 0.2, amendedDays: 20),
        Procedure(code: "1.004221", name: "Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất do chuyển nhượng, thừa kế, tặng cho",
                  level: .district, days: 10, online: "partial", steps: landSteps, obligationPauses: true, fee: 50_000,
                  obligation: 1_000_000...60_000_000, weight: 5, supplement: 0.15),
        Procedure(code: "1.000798", name: "Chuyển mục đích sử dụng đất phải được phép của cơ quan nhà nước có thẩm quyền",
                  level: .district, days: 15, online: "partial", steps: landSteps, obligationPauses: true,
                  obligation: 5_000_000...250_000_000, weight: 1.2, supplement: 0.18),
        Procedure(code: "1.009994", name: "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", level: .district, days: 15, online: "partial",
                  steps: interAgencySteps, fee: 75_000, weight: 2.5, supplement: 0.14),
        Procedure(code: "2.000720", name: "Đăng ký thành lập hộ kinh doanh", level: .district, days: 3, online: "full", steps: standardSteps,
                  fee: 100_000, weight: 3.5, supplement: 0.06),
        Procedure(code: "2.000575", name: "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh", level: .district, days: 3, online: "full",
                  steps: standardSteps, fee: 50_000, weight: 1.5),
        Procedure(code: "2.000620", name: "Cấp Giấy phép bán lẻ sản phẩm rượu", level: .district, days: 10, online: "partial", steps: standardSteps,
                  fee: 200_000, weight: 0.4),
        Procedure(code: "1.001612", name: "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm đối với cơ sở sản xuất, kinh doanh thực phẩm",
                  level: .district, days: 20, online: "partial", steps: interAgencySteps, fee: 500_000, weight: 0.5, supplement: 0.1),
        Procedure(code: "2.001263", name: "Đăng ký khai sinh có yếu tố nước ngoài", level: .district, days: 3, online: "partial", steps: standardSteps,
                  fee: 75_000, weight: 0.2, supplement: 0.1),
        // Province level (cấp tỉnh), received at the provincial public-administration service centre.
        Procedure(code: "2.001823", name: "Đăng ký thành lập công ty TNHH một thành viên", level: .province, days: 3, online: "full",
                  steps: standardSteps, fee: 50_000, weight: 1.6, supplement: 0.08),
        Procedure(code: "2.002092", name: "Đăng ký thay đổi nội dung đăng ký doanh nghiệp", level: .province, days: 3, online: "full",
                  steps: standardSteps, fee: 50_000, weight: 2.4, supplement: 0.07),
        Procedure(code: "1.002804", name: "Cấp đổi giấy phép lái xe do ngành Giao thông vận tải cấp", level: .province, days: 5, online: "full",
                  steps: standardSteps, fee: 135_000, weight: 4, supplement: 0.03),
        Procedure(code: "2.000488", name: "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam",
                  level: .province, days: 10, online: "full", steps: interAgencySteps, fee: 200_000, weight: 3, supplement: 0.03),
        Procedure(code: "1.000105", name: "Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam", level: .province, days: 5,
                  online: "full", steps: standardSteps, fee: 600_000, weight: 0.4, supplement: 0.1),
        Procedure(code: "1.004946", name: "Cấp Chứng chỉ hành nghề dược", level: .province, days: 20, online: "partial", steps: interAgencySteps,
                  fee: 500_000, weight: 0.3, supplement: 0.1),
        Procedure(code: "1.009972", name: "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I, cấp II", level: .province, days: 20,
                  online: "partial", steps: interAgencySteps, fee: 150_000, weight: 0.3, supplement: 0.15),
        Procedure(code: "1.004217", name: "Giao đất, cho thuê đất đối với tổ chức không thông qua đấu giá quyền sử dụng đất", level: .province,
                  days: 30, online: "partial", steps: landSteps, obligationPauses: true, obligation: 50_000_000...900_000_000,
                  weight: 0.15, supplement: 0.2),
        Procedure(code: "2.001283", name: "Cấp Giấy phép kinh doanh dịch vụ lữ hành nội địa", level: .province, days: 10, online: "full",
                  steps: standardSteps, fee: 3_000_000, weight: 0.15),
        Procedure(code: "1.008004", name: "Cấp giấy phép khai thác, sử dụng nước mặt", level: .province, days: 30, online: "none",
                  steps: interAgencySteps, fee: 0, weight: 0.08, supplement: 0.2),
        Procedure(code: "1.010054", name: "Cấp bản sao và chứng thực tài liệu lưu trữ", level: .province, hours: 8, online: "full",
                  steps: certificationSteps, fee: 20_000, weight: 0.4, supplement: 0.02),
        Procedure(code: "1.000732", name: "Cấp lại Giấy chứng nhận đăng ký hộ kinh doanh bị mất", level: .district, hours: 12, online: "full",
                  steps: standardSteps, fee: 20_000, weight: 0.3),
    ]

    // MARK: People

    static let familyNames: [(String, Double)] = [
        ("Nguyễn", 30), ("Trần", 9), ("Lê", 9), ("Phan", 6), ("Hồ", 6), ("Hoàng", 5), ("Phạm", 5), ("Võ", 4), ("Đặng", 3),
        ("Bùi", 3), ("Đậu", 2), ("Thái", 2), ("Đinh", 2), ("Cao", 2), ("Ngô", 2), ("Đỗ", 2), ("Chu", 1), ("Lưu", 1), ("Hà", 1),
    ]
    static let maleMiddle = ["Văn", "Đức", "Hữu", "Minh", "Quang", "Xuân", "Đình", "Công", "Trọng", "Anh", "Bá", "Văn"]
    static let femaleMiddle = ["Thị", "Thị", "Thị Thu", "Thị Hồng", "Ngọc", "Thanh", "Thị Minh", "Thị Thanh", "Thị Kim"]
    static let maleGiven = ["Hùng", "Dũng", "Tuấn", "Nam", "Sơn", "Hải", "Long", "Cường", "Thắng", "Hiếu", "Trung", "Vinh",
                            "Đạt", "Khánh", "Phong", "Quân", "Tùng", "Bình", "Lâm", "Thành", "Hoàng", "Việt", "Quý", "Lực"]
    static let femaleGiven = ["Hương", "Lan", "Hà", "Trang", "Linh", "Mai", "Hạnh", "Nga", "Thảo", "Yến", "Phương", "Hiền",
                              "Thủy", "Loan", "Oanh", "Nhung", "Vân", "Huyền", "Ngân", "Quỳnh", "Tâm", "Giang"]

    // MARK: Texts

    static let supplementItems = [
        "Bản sao Căn cước công dân của người yêu cầu",
        "Sơ đồ vị trí thửa đất có xác nhận",
        "Văn bản ủy quyền có chứng thực",
        "Tờ khai theo mẫu có đủ chữ ký",
        "Giấy tờ chứng minh nơi cư trú",
        "Bản vẽ thiết kế có chữ ký của chủ đầu tư",
        "Hợp đồng chuyển nhượng có công chứng",
        "Giấy xác nhận tình trạng hôn nhân còn hiệu lực",
        "Bản chính Giấy chứng sinh",
        "Chứng từ thực hiện nghĩa vụ tài chính",
    ]
    static let supplementReasons = [
        "Hồ sơ chưa đầy đủ thành phần theo quy định",
        "Thông tin trên tờ khai không khớp với giấy tờ kèm theo",
        "Bản chụp không rõ nét, cần nộp lại bản rõ",
        "Thiếu chữ ký xác nhận của người yêu cầu",
        "Cần bổ sung giấy tờ chứng minh nguồn gốc sử dụng đất",
    ]
    static let rejectionReasons = [
        "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan",
        "Thành phần hồ sơ không đúng quy định, đã hướng dẫn công dân nộp lại",
        "Hồ sơ nộp trùng với hồ sơ đang giải quyết",
        "Tệp đính kèm bị lỗi, không mở được",
    ]
    static let apologyReasons = [
        "Hồ sơ cần xác minh thực địa, kéo dài thời gian giải quyết",
        "Chờ ý kiến phối hợp của cơ quan liên quan",
        "Cán bộ thụ lý nghỉ ốm đột xuất",
        "Hệ thống phần mềm gặp sự cố trong thời gian giải quyết",
        "Khối lượng hồ sơ tăng đột biến",
    ]
    static let withdrawalReasons = [
        "Công dân xin rút hồ sơ để hoàn thiện giấy tờ",
        "Không còn nhu cầu giải quyết",
        "Nộp nhầm thủ tục",
        "Quá thời hạn bổ sung, công dân xin rút hồ sơ",
    ]
    static let suspensionReasons = [
        "Có tranh chấp liên quan đến thửa đất",
        "Cơ quan có thẩm quyền yêu cầu tạm dừng để thanh tra, kiểm tra",
        "Người yêu cầu không đủ điều kiện theo quy định",
        "Không liên hệ được với người nộp hồ sơ",
    ]
    static let complaintTexts = [
        "Quá hạn hẹn trả kết quả nhưng không nhận được thông báo",
        "Bị yêu cầu bổ sung hồ sơ nhiều lần",
        "Thái độ phục vụ của cán bộ chưa đúng mực",
        "Thời gian chờ tại quầy quá lâu",
        "Kết quả trả sai thông tin, phải đi lại nhiều lần",
    ]
}
